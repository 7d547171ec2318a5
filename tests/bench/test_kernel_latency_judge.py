"""The judge of the 200-cell kernel benchmark (kernel_latency_judge.py, decision 0035) on made-up chunk times: it
must recover the helper's cost whatever the run order adds, and report a miss when the cost is above the goal."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_latency_judge as judge  # noqa: E402
from kernel_latency_bench import GOAL_OVERHEAD  # noqa: E402


def made_up_rounds(cost, first_run_extra, rounds=10, chunks=10, plain=0.3):
    """Rounds of chunk times as measure_notebook_round returns them: every chunk takes `plain` seconds, `cost`
    more when tracked and `first_run_extra` more for whichever run of the chunk comes first; the order alternates
    per chunk and round, as in the benchmark."""
    out = []
    for r in range(rounds):
        walls = {"plain": [], "piggyback": [], "plainFirst": []}
        for c in range(chunks):
            plain_first = (r + c) % 2 == 0
            walls["plainFirst"].append(plain_first)
            walls["plain"].append(plain + (first_run_extra if plain_first else 0))
            walls["piggyback"].append(plain + cost + (0 if plain_first else first_run_extra))
        out.append(walls)
    return out


def test_the_order_of_the_two_runs_cancels_out():
    rounds = made_up_rounds(cost=0.003, first_run_extra=0.04)
    # 3 ms on a chunk that takes 0.34 s when its cells are new to the process, as in a fresh kernel's Run All
    assert abs(judge.chunk_position_overhead(rounds, "piggyback") - 0.003 / 0.34) < 1e-9
    assert all(abs(d - 0.003) < 1e-9 for d in judge.chunk_differences(rounds, "piggyback"))


def test_a_cost_above_the_goal_is_reported_as_such():
    rounds = made_up_rounds(cost=0.012, first_run_extra=0.0)
    assert judge.chunk_position_overhead(rounds, "piggyback") > GOAL_OVERHEAD
    low, high = judge.round_bootstrap_interval(rounds, judge.chunk_position_overhead, "piggyback", resamples=200)
    assert low == high == judge.chunk_position_overhead(rounds, "piggyback")


def test_a_cost_on_one_chunk_only_stays_in_the_sum():
    rounds = made_up_rounds(cost=0.0, first_run_extra=0.0)
    for walls in rounds:
        walls["piggyback"][0] += 0.06  # e.g. the helper's first fingerprints, always in the first chunk
    assert abs(judge.chunk_position_overhead(rounds, "piggyback") - 0.06 / 3.0) < 1e-9
    assert judge.pooled_ratio_overhead(rounds, "piggyback") == 0  # what the rejected estimator would have said
