"""Under a burst of cells (JupyterLab's Run All) the snapshots of small objects are taken by the helper's background
thread once the kernel is idle, each from the state its execution left (never coalesced), and reported in execution
order; a large object that a cell only reads is not probed for changes."""
import threading

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def run_all(nb):
    nb.as_run_all()
    nb.run("import numpy as np, pandas as pd")
    nb.delta()
    return nb


@pytest.fixture
def held(nb, monkeypatch):
    """Holds the background thread before it fingerprints anything, so cells can change objects meanwhile."""
    opened = threading.Event()
    original = nb.rt.__dict__["_fingerprint"]

    def fingerprint(*args, **kwargs):
        if threading.current_thread().name == "runtrail-stats":
            assert opened.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setitem(nb.rt.__dict__, "_fingerprint", fingerprint)
    yield opened
    opened.set()


def later_snapshots(nb):
    """The snapshots of the next delta once the background thread is done."""
    assert nb.rt._wait_for_statistics(10)
    delta = nb.delta()
    assert delta["pending"] == 0 and delta["warnings"] == []
    return delta["snapshots"]


def maximum(snapshot, column):
    return next(c for c in snapshot["columns"] if c["column"] == column)["max"]


def test_a_small_frame_changed_by_two_cells_gets_two_exact_snapshots_even_when_fingerprinted_late(run_all, held):
    nb = run_all
    created = nb.run("small = pd.DataFrame({'a': [1, 2, 3], 'b': [0.5, 1.5, 2.5]})")
    first = nb.delta()
    assert first["snapshots"] == [] and first["pending"] == 1
    changed = nb.run("small.loc[1, 'a'] = 20")
    nb.delta()
    changed_again = nb.run("small.loc[2, 'a'] = 30")
    assert nb.delta()["superseded"] == []
    held.set()  # only now is anything fingerprinted, after all three cells ran
    snapshots = later_snapshots(nb)
    counts = [created.execution_count, changed.execution_count, changed_again.execution_count]
    assert [s["executionCount"] for s in snapshots] == counts
    assert [maximum(s, "a") for s in snapshots] == [3, 20, 30]
    assert snapshots[0]["fingerprint"] == nb.rt.fingerprint(pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 1.5, 2.5]}))
    assert snapshots[1]["fingerprint"] == nb.rt.fingerprint(pd.DataFrame({"a": [1, 20, 3], "b": [0.5, 1.5, 2.5]}))
    assert snapshots[2]["fingerprint"] == nb.rt.fingerprint(nb.shell.user_ns["small"])


def test_a_small_array_written_after_its_cell_keeps_that_cells_snapshot(run_all, held):
    nb = run_all
    created = nb.run("values = np.zeros(8)")
    nb.delta()
    written = nb.run("values[3] = 1.0")
    nb.delta()
    held.set()
    snapshots = later_snapshots(nb)
    assert [s["executionCount"] for s in snapshots] == [created.execution_count, written.execution_count]
    assert snapshots[0]["fingerprint"] == nb.rt.fingerprint(np.zeros(8))
    assert maximum(snapshots[0], "") == 0 and maximum(snapshots[1], "") == 1  # a 1-d array: one unnamed column


def test_an_object_a_run_all_leaves_unchanged_is_reported_once(run_all):
    nb = run_all
    created = nb.run("small = pd.DataFrame({'a': [1, 2, 3]})")
    nb.delta()
    nb.run("total = small['a'].sum()")  # mentioned: fingerprinted again, same content
    nb.delta()
    nb.run("small = small.copy()")  # another object, same content
    nb.delta()
    snapshots = later_snapshots(nb)
    assert [(s["name"], s["executionCount"]) for s in snapshots] == [("small", created.execution_count)]


def test_a_state_that_cannot_be_frozen_is_reported_after_the_earlier_states_of_its_name(run_all, held):
    nb = run_all
    first = nb.run("values = np.zeros(8)")
    nb.delta()
    second = nb.run("values = np.ones(20_000)")  # 160 KB of numpy: not copied, fingerprinted in the delta
    assert nb.delta()["snapshots"] == []  # ... but reported after the first state, which waits for the thread
    third = nb.run("values = np.zeros(8)")  # the first state again, after a different one: a change
    nb.delta()
    held.set()
    snapshots = later_snapshots(nb)
    counts = [first.execution_count, second.execution_count, third.execution_count]
    assert [s["executionCount"] for s in snapshots] == counts
    assert snapshots[0]["fingerprint"] == snapshots[2]["fingerprint"] != snapshots[1]["fingerprint"]


def test_small_objects_are_fingerprinted_in_the_delta_when_too_much_already_waits(run_all, monkeypatch):
    nb = run_all
    monkeypatch.setitem(nb.rt.__dict__, "_HANDOVER_HELD_BYTES", 0)
    nb.run("small = pd.DataFrame({'a': [1, 2, 3]})")
    delta = nb.delta()
    assert [s["name"] for s in delta["snapshots"]] == ["small"] and delta["pending"] == 0


def test_a_cell_at_a_persons_pace_gets_its_small_snapshots_in_its_own_delta(nb):
    nb.run("import pandas as pd\nsmall = pd.DataFrame({'a': [1, 2, 3]})")
    delta = nb.delta()
    assert [s["name"] for s in delta["snapshots"]] == ["small"] and delta["pending"] == 0


def test_names_used_as_whole_objects_are_told_from_names_whose_items_are_only_read(nb):
    analysis = nb.rt._analyze_cell("total = big['a'].sum() + big.b.mean()\nprocess(frame)\nalias = other\nshown")
    assert {"frame", "other", "shown", "process"} <= analysis["whole"]
    assert "big" in analysis["referenced"] and "big" not in analysis["whole"]


def test_a_large_array_a_cell_only_reads_is_not_reported_but_one_a_function_changes_in_place_is(nb):
    nb.run("import numpy as np\nbig = np.ones(1_000_000)")
    nb.settled_delta()
    nb.run("head = big[:3].sum() + big.mean()")
    assert [s["name"] for s in nb.settled_delta()["snapshots"]] == []
    changed = nb.run("np.negative(big, big)")  # a library function writing its positional output argument
    [snapshot] = nb.settled_delta()["snapshots"]
    assert snapshot["name"] == "big" and snapshot["executionCount"] == changed.execution_count


def test_polars_and_arrow_objects_of_a_run_all_get_the_state_each_cell_left(run_all, held):
    nb = run_all
    created = nb.run("import polars as pl, pyarrow as pa\n"
                     "frame = pl.DataFrame({'a': [1, 2, 3]})\ntable = pa.table({'b': [1.5, 2.5]})")
    nb.delta()
    changed = nb.run("frame = frame.with_columns(pl.col('a') * 10)\ntable = table.append_column('c', pa.array([1, 2]))")
    nb.delta()
    held.set()
    snapshots = later_snapshots(nb)
    counts = {(s["name"], s["executionCount"]) for s in snapshots}
    assert counts == {(name, count) for name in ("frame", "table")
                      for count in (created.execution_count, changed.execution_count)}
    frames = [s for s in snapshots if s["name"] == "frame"]
    assert [maximum(s, "a") for s in frames] == [3, 30]


def test_a_small_object_deleted_before_the_kernel_was_idle_keeps_its_snapshot(run_all):
    nb = run_all
    created = nb.run("small = pd.DataFrame({'a': [1, 2]})")
    nb.delta()
    nb.run("del small")
    nb.delta()
    snapshots = later_snapshots(nb)
    assert [(s["name"], s["executionCount"]) for s in snapshots] == [("small", created.execution_count)]


def test_a_new_small_objects_change_baseline_is_taken_by_the_background_thread(run_all):
    nb = run_all
    nb.run("small = pd.DataFrame({'a': [1, 2, 3]})")
    assert nb.delta()["pending"] == 1
    entry = nb.rt._state.snap_cache["small"]
    assert entry["cheap"] is nb.rt._BASELINE_PENDING  # no version probe in the cell's own delta
    assert [s["name"] for s in later_snapshots(nb)] == ["small"]
    assert entry["cheap"] == nb.rt._cheap_version(nb.shell.user_ns["small"], "pandas", 1 << 30)
    nb.run("total = small['a'].sum()")  # read only, by attribute: nothing new to report
    assert nb.delta()["snapshots"] == [] and later_snapshots(nb) == []


def test_a_change_no_check_saw_before_the_baseline_was_taken_is_still_found(run_all, monkeypatch):
    nb = run_all
    nb.run("small = pd.DataFrame({'a': [1, 2, 3]})\nholder = [small]")
    nb.delta()
    nb.run("holder[0].loc[0, 'a'] = 99")  # changes `small` without naming it, before the kernel is idle
    assert nb.delta()["snapshots"] == []
    first = later_snapshots(nb)  # the state of the first cell, and no baseline for what `small` holds now
    assert [(s["name"], maximum(s, "a")) for s in first] == [("small", 3)]
    assert nb.rt._state.snap_cache["small"]["cheap"] is None
    monkeypatch.setitem(nb.rt.__dict__, "_FULL_CHECK_S", 0.0)  # the next delta checks every name
    nb.run("y = 1")
    found = nb.delta()["snapshots"] + later_snapshots(nb)
    assert [(s["name"], maximum(s, "a")) for s in found] == [("small", 99)]
