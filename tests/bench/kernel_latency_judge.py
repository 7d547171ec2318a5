"""The judge of the 200-cell Run All benchmark (kernel_latency_bench.py part 2; decisions 0034 and 0035).

Its input is one entry per round: {"plain": [chunk wall times], "piggyback": [...], "plainFirst": [per chunk,
whether the paused run came first]}, as measure_notebook_round returns it. Every figure is an overhead ratio - 1.
"""
import random
import statistics


def paired_ratios(chunk_walls, mode):
    """Per chunk of every round, wall(mode) / wall(plain): both ran that chunk back to back in one kernel, under the
    same load, so each ratio is one paired observation."""
    return [tracked / plain for walls in chunk_walls
            for tracked, plain in zip(walls[mode], walls["plain"])]


def pooled_ratio_overhead(chunk_walls, mode):
    """Median of all paired chunk ratios, minus 1."""
    return statistics.median(paired_ratios(chunk_walls, mode)) - 1


def chunk_position_overhead(chunk_walls, mode):
    """The judged estimator: for each chunk of the notebook, its paired difference wall(mode) - wall(plain) (see
    chunk_differences); their sum over the notebook's chunks divided by the sum of the plain chunks' medians over
    the rounds where plain ran first (the chunk's cells new to the process, as in a fresh kernel's Run All). A load
    burst moves one pair, not the medians; a cost that always lands on one chunk (the helper's first analysis of
    the cells, its first fingerprints) stays in the sum, as it does in a whole Run All."""
    chunks = range(len(chunk_walls[0]["plain"]))
    plain = 0.0
    for c in chunks:
        first = [walls["plain"][c] for walls in chunk_walls if walls["plainFirst"][c]]
        plain += statistics.median(first or [walls["plain"][c] for walls in chunk_walls])
    return sum(chunk_differences(chunk_walls, mode)) / plain


def round_bootstrap_interval(chunk_walls, estimator, mode, resamples=2000, confidence=0.95):
    """Percentile interval of an estimator over rounds drawn with replacement (a round, on its own kernels, is the
    independent unit; its chunks share a process). Fixed seed, so a run's output is reproducible from its data."""
    draw = random.Random(0)
    estimates = sorted(estimator([draw.choice(chunk_walls) for _ in chunk_walls], mode) for _ in range(resamples))
    tail = int(resamples * (1 - confidence) / 2)
    return estimates[tail], estimates[resamples - 1 - tail]


def chunk_differences(chunk_walls, mode):
    """For each chunk of the notebook, wall(mode) - wall(plain) in seconds, balanced over the run order: the mean of
    the median difference over the rounds where plain ran the chunk first and the median over those where the
    tracked run did. The first run of a chunk in a process also pays the notebook's own first-time costs (pandas
    code paths, fresh memory); they add to one side or the other by the order and cancel in that mean."""
    differences = []
    for c in range(len(chunk_walls[0]["plain"])):
        groups = [[walls[mode][c] - walls["plain"][c] for walls in chunk_walls if walls["plainFirst"][c] == first]
                  for first in (True, False)]
        differences.append(statistics.mean(statistics.median(g) for g in groups if g))
    return differences
