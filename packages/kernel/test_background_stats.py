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


def test_a_frame_changed_again_before_the_kernel_was_idle_is_fingerprinted_once_in_its_latest_state(nb, gate):
    first = nb.run("import numpy as np, pandas as pd\nframe = pd.DataFrame({'v': np.zeros(600_000)})")
    nb.delta()
    second = nb.run("frame.loc[5, 'v'] = 999.0")  # before the zeros were fingerprinted
    delta = nb.delta()
    assert delta["superseded"] == [{"name": "frame", "executionCount": first.execution_count}]
    gate.set()
    delivered = settled(nb)["snapshots"]
    assert len(delivered) == 1 and delivered[0]["executionCount"] == second.execution_count
    assert by_column(delivered[0]["columns"])["v"]["max"] == 999
    assert delivered[0]["fingerprint"] == nb.rt.fingerprint(nb.shell.user_ns["frame"])


def test_nothing_is_fingerprinted_while_cells_keep_coming(nb, monkeypatch):
    monkeypatch.setitem(nb.rt.__dict__, "_IDLE_S", 1.0)
    nb.run("import numpy as np, pandas as pd")
    nb.delta()
    first = nb.run("big = pd.DataFrame({'x': np.arange(600_000, dtype='float64')})")
    assert nb.delta()["pending"] == 1
    counts = [first.execution_count]
    for i in range(3):  # Run All: the next cell comes at once
        counts.append(nb.run("big = big.assign(y=%d)" % i).execution_count)
        delta = nb.delta()
        assert delta["snapshots"] == [] and delta["pending"] == 1
        assert delta["superseded"] == [{"name": "big", "executionCount": counts[-2]}]
    with nb.rt._state.lock:
        assert nb.rt._state.running == 0 and nb.rt._state.stats_done == []
    later = settled(nb)
    [snap] = later["snapshots"]
    assert snap["executionCount"] == counts[-1] and snap["shape"] == [600_000, 2]
    assert by_column(snap["columns"])["y"]["max"] == 2 and later["pending"] == 0


def test_an_array_written_while_it_was_read_is_read_again_at_the_next_idle_moment(nb, monkeypatch):
    rt = nb.rt
    original = rt._fingerprint
    written = []

    def fingerprint_during_a_cell(obj, kind, max_bytes):
        if threading.current_thread().name == "runtrail-stats" and not written:
            nb.run("arr[3] = 7.0")  # a cell starts (and writes) while the background thread reads the array
            written.append(True)
        return original(obj, kind, max_bytes)

    monkeypatch.setitem(rt.__dict__, "_fingerprint", fingerprint_during_a_cell)
    nb.run("import numpy as np\narr = np.zeros(1_000_000)")
    nb.delta()
    delivered = []
    while True:  # the frontend's follow-up requests: the cell that wrote came after the first delta
        delta = settled(nb)
        delivered += [s for s in delta["snapshots"] if s["name"] == "arr"]
        if delta["pending"] == 0:
            break
    [snap] = delivered  # the mixture read while the cell wrote is never reported
    assert written and snap["fingerprint"] == original(nb.shell.user_ns["arr"], "numpy", 1 << 30)["fingerprint"]
    assert by_column(snap["columns"])[""]["max"] == 7


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


def test_a_large_file_read_by_a_cell_is_hashed_when_the_kernel_is_idle(nb, tmp_path):
    import os

    (tmp_path / "big.bin").write_bytes(os.urandom(6 << 20))
    result = nb.run("with open('big.bin', 'rb') as f:\n    head = f.read(10)")
    first = nb.delta()
    assert [s for s in first["snapshots"] if s["kind"] == "file"] == [] and first["pending"] == 1
    [snap] = [s for s in settled(nb)["snapshots"] if s["kind"] == "file"]
    assert snap["name"] == "big.bin" and snap["executionCount"] == result.execution_count
    assert snap["fingerprint"] == nb.rt._file_fingerprint(str(tmp_path / "big.bin"), 6 << 20, 1 << 30)[0]
    nb.run("with open('big.bin', 'rb') as f:\n    head = f.read(10)")  # read again: known, reported at once
    [again] = [s for s in nb.delta()["snapshots"] if s["kind"] == "file"]
    assert again["fingerprint"] == snap["fingerprint"]
