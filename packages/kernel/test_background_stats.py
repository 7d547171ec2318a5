"""Large objects are fingerprinted, or get their column statistics, off the notebook's critical path (one background
thread) and are handed over in a later delta; what arrives always describes the content the cell left behind."""
import threading

import pandas as pd
import pytest


def snapshot(delta, name):
    found = [s for s in delta["snapshots"] if s["name"] == name]
    assert len(found) == 1, delta["snapshots"]
    return found[0]


def stats_for(delta, name):
    found = [s for s in delta["columnStats"] if s["name"] == name]
    assert len(found) == 1, delta["columnStats"]
    return found[0]


def by_column(columns):
    return {c["column"]: c for c in columns}


def settled(nb):
    """The next delta once the background thread is done."""
    assert nb.rt._wait_for_statistics(10)
    return nb.delta()


def test_small_objects_are_complete_in_the_same_delta(nb):
    nb.run("import pandas as pd\nsmall = pd.DataFrame({'a': [1, 2, 3]})")
    delta = nb.delta()
    snap = snapshot(delta, "small")
    assert "statsPending" not in snap and "executionCount" not in snap
    assert by_column(snap["columns"])["a"]["max"] == 3
    assert delta["pending"] == 0


def test_a_large_frame_arrives_in_a_later_delta_with_the_execution_it_belongs_to(nb):
    nb.run("import numpy as np, pandas as pd")
    nb.delta()
    result = nb.run("big = pd.DataFrame({'x': np.arange(600_000, dtype='float64'), 'y': np.arange(600_000) % 7})")
    first = nb.delta()
    assert first["snapshots"] == [] and first["pending"] == 1
    later = settled(nb)
    snap = snapshot(later, "big")
    assert snap["executionCount"] == result.execution_count
    assert snap["shape"] == [600_000, 2] and later["pending"] == 0
    columns = by_column(snap["columns"])
    assert columns["x"]["min"] == 0 and columns["x"]["max"] == 599_999 and columns["x"]["count"] == 600_000
    assert columns["y"]["max"] == 6 and columns["y"]["distinct"] == 7
    # The same fingerprint as computed in the delta, and nothing is handed over twice.
    assert snap["fingerprint"] == nb.rt.fingerprint(nb.shell.user_ns["big"])
    assert nb.delta()["snapshots"] == []


def test_an_unchanged_large_frame_is_not_reported_again(nb):
    nb.run("import numpy as np, pandas as pd\nbig = pd.DataFrame({'x': np.arange(600_000, dtype='float64')})")
    nb.delta()
    assert snapshot(settled(nb), "big")
    nb.run("big = big.copy()")  # another object, same content
    nb.delta()
    assert settled(nb)["snapshots"] == []
    nb.run("big.loc[3, 'x'] = -1.0")  # one value changed in place
    nb.delta()
    changed = snapshot(settled(nb), "big")
    assert by_column(changed["columns"])["x"]["min"] == -1


@pytest.fixture
def gate(nb, monkeypatch):
    """Holds the background thread before it works, so a test can run cells while it is busy."""
    opened = threading.Event()
    originals = {name: nb.rt.__dict__[name] for name in ("_column_stats", "_fingerprint")}

    def hold(name):
        def held(*args, **kwargs):
            if threading.current_thread().name == "runtrail-stats":
                assert opened.wait(10)
            return originals[name](*args, **kwargs)
        return held

    for name in originals:
        monkeypatch.setitem(nb.rt.__dict__, name, hold(name))
    yield opened
    opened.set()


def test_a_pandas_frame_written_in_place_while_queued_is_fingerprinted_as_the_cell_left_it(nb, gate):
    assert int(pd.__version__.split(".")[0]) >= 3  # copy-on-write protects the background thread's view
    nb.run("import numpy as np, pandas as pd\nframe = pd.DataFrame({'v': np.zeros(600_000)})")
    nb.delta()
    nb.run("frame.loc[5, 'v'] = 999.0")  # while the zeros are still queued
    nb.delta()
    gate.set()
    delivered = settled(nb)["snapshots"]
    assert [by_column(s["columns"])["v"]["max"] for s in delivered] == [0, 999]  # each as its cell left it
    zeros = pd.DataFrame({"v": [0.0] * 600_000})
    assert delivered[0]["fingerprint"] == nb.rt.fingerprint(zeros)
    assert nb.shell.user_ns["frame"]["v"].max() == 999  # and the user's frame has the write


def test_numpy_statistics_come_later_and_are_dropped_rather_than_describe_a_mixture(nb, gate):
    nb.run("import numpy as np\narr = np.zeros(300_000)")
    snap = snapshot(nb.delta(), "arr")  # fingerprinted in the delta: nothing protects a numpy array
    assert snap["statsPending"] is True and snap["columns"] == []
    nb.run("arr[7] = 5.0")  # in place, while the statistics are pending
    changed = snapshot(nb.delta(), "arr")
    gate.set()
    delta = settled(nb)
    records = {s["fingerprint"]: s["columns"] for s in delta["columnStats"]}
    assert records[snap["fingerprint"]] == []
    assert any("arr: statistics skipped" in w for w in delta["warnings"])
    assert by_column(records[changed["fingerprint"]])[""]["max"] == 5


def test_numpy_statistics_are_kept_when_the_array_did_not_change(nb, gate):
    nb.run("import numpy as np\narr = np.arange(300_000, dtype='int64')")
    snap = snapshot(nb.delta(), "arr")
    nb.run("total = int(arr.sum())")  # a cell runs meanwhile, but only reads the array
    nb.delta()
    gate.set()
    delta = settled(nb)
    assert by_column(stats_for(delta, "arr")["columns"])[""]["max"] == 299_999
    assert not delta["warnings"]
    assert snap["fingerprint"] == stats_for(delta, "arr")["fingerprint"]


def test_statistics_already_known_by_content_are_given_at_once(nb):
    nb.run("import numpy as np\narr = np.arange(300_000, dtype='int64')")
    nb.delta()
    settled(nb)
    nb.run("again = arr.copy()")
    snap = snapshot(nb.delta(), "again")
    assert "statsPending" not in snap and by_column(snap["columns"])[""]["max"] == 299_999
