"""The delta: public API, exactly-once hand-over, change detection, files, artifacts, re-injection, faults."""
import hashlib
import http.server
import json
import math
import os
import sys
import threading
import time

import numpy as np
import pytest

from conftest import check_delta, names_written, params_of


def test_public_api_through_import_runtrail(nb):
    nb.shell.user_ns["np_value"] = np.float32(0.75)
    nb.run(
        "import runtrail\n"
        "for loss in (0.9, 0.5, 0.25):\n"
        "    runtrail.log_metric('loss', loss)\n"
        "runtrail.log_metric('acc', 0.7, step=10, timestamp=1700000000000)\n"
        "runtrail.log_metric('acc', np_value)\n"
        "runtrail.log_param('optimizer', 'adam')\n"
        "runtrail.log_param('dims', (3, 4))\n"
        "runtrail.log_param('path', __import__('pathlib').Path('a/b'))\n"
        "runtrail.set_tag('stage', 'exploration')\n"
        "runtrail.set_tag('version', 3)\n",
        cell_id="c1",
    )
    delta = nb.delta()
    metrics = [(m["key"], m["value"], m["step"]) for m in delta["metrics"]]
    assert metrics == [("loss", 0.9, 0), ("loss", 0.5, 1), ("loss", 0.25, 2), ("acc", 0.7, 10), ("acc", 0.75, 11)]
    assert delta["metrics"][3]["timestamp"] == 1700000000000
    assert abs(delta["metrics"][0]["timestamp"] - time.time() * 1000) < 60_000
    assert delta["explicitParams"] == [
        {"key": "optimizer", "value": "adam", "origin": "explicit"},
        {"key": "dims", "value": [3, 4], "origin": "explicit"},
        {"key": "path", "value": "a/b", "origin": "explicit"},
    ]
    assert delta["tags"] == [{"key": "stage", "value": "exploration"}, {"key": "version", "value": "3"}]


def test_steps_keep_counting_across_deltas_and_non_finite_values_are_encoded(nb):
    rt = nb.rt
    rt.log_metric("loss", 1.0)
    nb.delta()
    rt.log_metric("loss", float("nan"))
    rt.log_metric("loss", float("inf"))
    rt.log_metric("loss", -math.inf)
    values = [(m["value"], m["step"]) for m in nb.delta()["metrics"]]
    assert values == [("NaN", 1), ("Infinity", 2), ("-Infinity", 3)]


@pytest.mark.parametrize("call", [
    lambda rt: rt.log_metric("bad key!", 1.0),
    lambda rt: rt.log_metric("", 1.0),
    lambda rt: rt.log_metric("k" * 251, 1.0),
    lambda rt: rt.log_metric(3, 1.0),
    lambda rt: rt.log_metric("loss", "high"),
    lambda rt: rt.log_metric("loss", None),
    lambda rt: rt.log_metric("loss", True),
    lambda rt: rt.log_metric("loss", 1.0, step=-1),
    lambda rt: rt.log_metric("loss", 1.0, step=1.5),
    lambda rt: rt.log_metric("loss", 1.0, timestamp=-5),
    lambda rt: rt.log_param("a\nb", 1),
    lambda rt: rt.log_param("long", "x" * 7000),
    lambda rt: rt.set_tag("t", "v" * 8001),
    lambda rt: rt.set_tag("t@", "v"),
    lambda rt: rt.log_artifact("/no/such/file"),
    lambda rt: rt.log_artifact(42),
])
def test_bad_input_raises_a_clear_value_error_in_user_code(nb, call):
    with pytest.raises(ValueError, match="runtrail"):
        call(nb.rt)
    assert nb.delta()["metrics"] == []


def test_valid_keys_follow_the_mlflow_rule(nb):
    nb.rt.log_metric("train/loss: epoch-1.step_2 x", 1)
    assert nb.delta()["metrics"][0]["key"] == "train/loss: epoch-1.step_2 x"


def test_deltas_are_handed_over_exactly_once_with_increasing_seq(nb):
    nb.run("import runtrail\nruntrail.log_metric('m', 1)\nruntrail.set_tag('t', 'v')\nx = 5\nimport numpy as np\na = np.arange(10)", cell_id="c1")
    first = nb.delta()
    assert first["metrics"] and first["tags"] and params_of(first) == {"x": 5} and first["snapshots"]
    assert names_written(first) == ["runtrail", "x", "np", "a"] and first["cells"][0]["executionCount"] == 1
    second = nb.delta()
    assert second["seq"] > first["seq"]
    for key in ("cells", "explicitParams", "metrics", "tags", "snapshots", "artifacts", "warnings"):
        assert second[key] == [], key
    assert nb.delta()["seq"] > second["seq"]


def test_snapshots_are_reported_when_new_or_changed_only(nb):
    nb.run("import numpy as np, pandas as pd\ndf = pd.DataFrame({'a': np.arange(5.0), 'b': list('vwxyz')})", cell_id="c1")
    first = nb.delta()
    [snap] = first["snapshots"]
    assert snap["name"] == "df" and snap["kind"] == "pandas" and snap["shape"] == [5, 2] and not snap["sampled"]
    assert [c["column"] for c in snap["columns"]] == ["a", "b"]
    nb.run("y = 1", cell_id="c2")
    assert nb.delta()["snapshots"] == []
    nb.run("print(df.shape)", cell_id="c3")  # referenced, fingerprinted again, unchanged: not reported
    assert nb.delta()["snapshots"] == []
    nb.run("df = pd.DataFrame({'a': np.arange(5.0), 'b': list('vwxyz')})", cell_id="c4")  # equal data, new object
    assert nb.delta()["snapshots"] == []
    nb.run("df['c'] = 1", cell_id="c5")
    [changed] = nb.delta()["snapshots"]
    assert changed["fingerprint"] != snap["fingerprint"] and changed["shape"] == [5, 3]
    nb.run("del df", cell_id="c6")
    assert nb.delta()["snapshots"] == []
    nb.run("df = pd.DataFrame({'a': np.arange(5.0), 'b': list('vwxyz')})", cell_id="c7")
    [again] = nb.delta()["snapshots"]  # the name was deleted, so it is new again
    assert again["fingerprint"] == snap["fingerprint"]


def test_in_place_single_value_change_in_a_large_array_is_detected_in_the_cell_that_made_it(nb):
    nb.run("import numpy as np, pandas as pd\nbig = np.zeros(4_000_000)\nframe = pd.DataFrame({'v': np.zeros(3_000_000)})", cell_id="c1")
    before = {s["name"]: s["fingerprint"] for s in nb.settled_delta()["snapshots"]}
    assert set(before) == {"big", "frame"}
    # Same buffer, same pointer, an element the 16-element probe does not look at.
    nb.run("big[1_234_567] = 1.0", cell_id="c2")
    [snap] = nb.settled_delta()["snapshots"]
    assert snap["name"] == "big" and snap["fingerprint"] != before["big"]
    nb.run("frame.loc[1_234_567, 'v'] = 2.0", cell_id="c3")
    [snap] = nb.settled_delta()["snapshots"]
    assert snap["name"] == "frame" and snap["fingerprint"] != before["frame"]
    nb.run("frame.iloc[5, 0] = 3.0\nbig += 0", cell_id="c4")
    assert {s["name"] for s in nb.settled_delta()["snapshots"]} == {"frame"}


def test_polars_arrow_and_numpy_objects_are_snapshotted(nb):
    nb.run("import polars as pl, pyarrow as pa, numpy as np\n"
           "p = pl.DataFrame({'a': [1, 2, None]})\nt = pa.table({'s': ['x', None]})\nm = np.eye(3)\n_hidden = np.eye(2)",
           cell_id="c1")
    kinds = {s["name"]: (s["kind"], s["shape"]) for s in nb.delta()["snapshots"]}
    assert kinds == {"p": ("polars", [3, 1]), "t": ("arrow", [2, 1]), "m": ("numpy", [3, 3])}


def test_sampled_flag_comes_from_the_request_cap(nb):
    nb.run("import numpy as np\nx = np.zeros((100_000, 2))", cell_id="c1")
    [snap] = nb.delta(max_bytes=100_000)["snapshots"]
    assert snap["sampled"] is True


def test_files_read_under_the_notebook_folder_are_file_snapshots(nb, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_text("a,b\n1,2\n3,4\n")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "table.parquet").write_bytes(b"PAR1 not really parquet")
    outside = tmp_path.parent / ("outside-%d.txt" % os.getpid())
    outside.write_text("elsewhere")
    try:
        nb.run(
            "import pandas as pd, pathlib\n"
            "df = pd.read_csv('data/train.csv')\n"
            "text = pathlib.Path('notes.txt').read_text()\n"
            "with open(%r) as f: f.read()\n"
            "with open('written.txt', 'w') as f: f.write('x')\n"
            "with open('notes.txt', 'r+') as f: pass\n"
            "try:\n    pd.read_parquet('table.parquet')\nexcept Exception: pass\n" % str(outside),
            cell_id="c1",
        )
        delta = nb.delta()
    finally:
        outside.unlink()
    files = {s["name"]: s for s in delta["snapshots"] if s["kind"] == "file"}
    assert set(files) == {"data/train.csv", "notes.txt", "table.parquet"}
    csv = files["data/train.csv"]
    assert csv["shape"] == [len("a,b\n1,2\n3,4\n")] and csv["fingerprint"].startswith("xxh128:") and not csv["sampled"]
    assert files["notes.txt"]["fingerprint"] != csv["fingerprint"]
    # Reading again reports the file again (it was read by this cell) with the same fingerprint.
    nb.run("open('notes.txt').read()", cell_id="c2")
    [again] = nb.delta()["snapshots"]
    assert again["fingerprint"] == files["notes.txt"]["fingerprint"]
    (tmp_path / "notes.txt").write_text("changed")
    nb.run("open('notes.txt').read()", cell_id="c3")
    [changed] = nb.delta()["snapshots"]
    assert changed["fingerprint"] != again["fingerprint"]
    # Opening files outside cells (the helper's own work, other threads) is not recorded.
    open(tmp_path / "notes.txt").close()
    assert nb.delta()["snapshots"] == []


def test_large_files_are_sampled(nb, tmp_path):
    (tmp_path / "big.bin").write_bytes(os.urandom(300_000))
    nb.run("open('big.bin', 'rb').read(10)", cell_id="c1")
    [snap] = nb.delta(max_bytes=64_000)["snapshots"]
    assert snap["sampled"] is True and snap["shape"] == [300_000]


class _BlobServer:
    """A stand-in for PUT /api/v1/blobs/{sha256}: verifies the hash, fails the first `failures` requests."""

    def __init__(self, failures=0, status=503):
        self.received = []
        self.failures = failures
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PUT(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((self.path, self.headers.get("Authorization"), body))
                if outer.failures > 0:
                    outer.failures -= 1
                    self.send_response(status)
                elif hashlib.sha256(body).hexdigest() != self.path.rsplit("/", 1)[-1]:
                    self.send_response(400)
                else:
                    self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _wait_for(condition, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_log_artifact_records_sha256_and_size_without_a_backend(nb, tmp_path):
    (tmp_path / "model.bin").write_bytes(b"weights" * 1000)
    nb.run("import runtrail\nruntrail.log_artifact('model.bin')", cell_id="c1")
    [artifact] = nb.delta()["artifacts"]
    assert artifact == {"path": "model.bin", "size": 7000, "sha256": hashlib.sha256(b"weights" * 1000).hexdigest()}


def test_log_artifact_uploads_in_the_background_with_retries(nb, tmp_path, monkeypatch):
    server = _BlobServer(failures=1)
    try:
        nb.inject({"backendUrl": server.url + "/", "token": "tok123"})
        monkeypatch.setattr(nb.rt, "_UPLOAD_BACKOFF_S", 0.05)
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "model.pkl").write_bytes(b"\x00\x01payload")
        started = time.perf_counter()
        record = nb.rt.log_artifact(str(tmp_path / "out" / "model.pkl"))
        assert time.perf_counter() - started < 0.5  # never waits for the network
        sha = hashlib.sha256(b"\x00\x01payload").hexdigest()
        assert record == {"path": "out/model.pkl", "size": 9, "sha256": sha}
        assert nb.delta()["artifacts"] == [record]
        assert _wait_for(lambda: len(server.received) == 2)
        for path, auth, body in server.received:
            assert path == "/api/v1/blobs/" + sha and auth == "Bearer tok123" and body == b"\x00\x01payload"
        assert nb.delta()["warnings"] == []
    finally:
        server.close()


def test_a_refused_upload_becomes_a_warning_and_the_record_is_kept(nb, tmp_path, monkeypatch):
    server = _BlobServer(failures=100, status=401)
    try:
        nb.inject({"backendUrl": server.url, "token": "wrong"})
        monkeypatch.setattr(nb.rt, "_UPLOAD_BACKOFF_S", 0.01)
        (tmp_path / "a.txt").write_text("a")
        nb.rt.log_artifact("a.txt")
        warnings = []
        first = nb.delta()
        assert len(first["artifacts"]) == 1
        warnings.extend(first["warnings"])
        assert _wait_for(lambda: warnings.extend(nb.delta()["warnings"]) or any("401" in w for w in warnings))
        assert any("a.txt" in w and "HTTP 401" in w for w in warnings)
        assert len(server.received) == 1  # 4xx is not retried
    finally:
        server.close()


def test_installing_twice_registers_one_hook_and_keeps_what_was_collected(nb):
    callbacks = nb.shell.events.callbacks
    count = len(callbacks["post_run_cell"]), len(callbacks["pre_run_cell"])
    nb.rt.log_metric("before", 1)
    first_seq = nb.delta()["seq"]
    nb.rt.log_metric("pending", 2)
    old_module = nb.rt
    nb.inject()
    nb.inject()
    assert nb.rt is not old_module
    assert (len(callbacks["post_run_cell"]), len(callbacks["pre_run_cell"])) == count
    import builtins
    assert not getattr(builtins.open.__runtrail_original__, "__runtrail_wrapper__", False)
    old_module.log_metric("via_old_module", 3)
    nb.run("x = 1", cell_id="c1")
    delta = nb.delta()
    assert [m["key"] for m in delta["metrics"]] == ["pending", "via_old_module"]
    assert delta["seq"] > first_seq and params_of(delta) == {"x": 1} and len(delta["cells"]) == 1


def test_uninstall_is_idempotent_and_leaves_no_hook(nb):
    import builtins
    import io
    rt = nb.rt
    rt._uninstall()
    rt._uninstall()
    assert rt._post_run_cell not in nb.shell.events.callbacks["post_run_cell"]
    assert not getattr(builtins.open, "__runtrail_wrapper__", False) and io.open is builtins.open


def test_silent_executions_are_not_cells(nb):
    nb.shell.run_cell("z = 1", store_history=False, silent=True)
    assert nb.delta()["cells"] == []


def test_the_cell_before_injection_is_backfilled(shell, tmp_path, monkeypatch):
    import conftest
    conftest._reset_helper()
    monkeypatch.chdir(tmp_path)
    shell.reset(new_session=False)
    shell.execution_count = 1
    del shell.history_manager.input_hist_parsed[1:]
    del shell.history_manager.input_hist_raw[1:]
    session = conftest.Session(shell, tmp_path)
    session.run("lr = 0.3", cell_id="first")
    session.inject()
    try:
        delta = session.delta()
        assert delta["cells"] == [{"executionCount": 1, "namesWritten": ["lr"],
                                   "params": [{"key": "lr", "value": 0.3, "origin": "literal-assignment"}]}]
    finally:
        conftest._reset_helper()


def test_delta_never_raises(nb):
    garbage = nb.rt._delta("{not json")
    data = check_delta(garbage.data if hasattr(garbage, "data") else garbage)
    assert any("not JSON" in w for w in data["warnings"])
    data = nb.rt._delta(json.dumps({"v": 2, "snapshotMaxBytes": -1}))
    assert check_delta(data.data)["seq"] > 0

    class Broken(np.ndarray):
        @property
        def shape(self):
            raise RuntimeError("weird subclass")

    nb.shell.user_ns["weird"] = np.zeros(3).view(Broken)
    nb.run("import pandas as pd\n"
           "class Frame(pd.DataFrame):\n"
           "    broken = False\n"
           "    def __getattribute__(self, name):\n"
           "        if name == 'columns' and type(self).broken:\n"
           "            raise RuntimeError('no columns')\n"
           "        return super().__getattribute__(name)\n"
           "bad = Frame({'a': [1]})\nFrame.broken = True\nkeep = [weird]", cell_id="c1")
    delta = nb.delta()
    assert any(w.startswith("bad:") for w in delta["warnings"])
    assert any(w.startswith("weird:") for w in delta["warnings"])
    nb.run("bad", cell_id="c2")
    nb.delta()


def test_trivial_cell_delta_costs_well_under_a_millisecond(nb):
    nb.run("import numpy as np, pandas as pd\n"
           "frames = None\n"
           + "\n".join("df%d = pd.DataFrame({'a': np.arange(100_000.0), 'b': np.arange(100_000)})" % i for i in range(5))
           + "\narr = np.zeros((1000, 1000))\n" + "\n".join("v%d = %d" % (i, i) for i in range(300)), cell_id="setup")
    nb.settled_delta()  # the setup's objects are fingerprinted and described: steady state
    rt = nb.rt
    times = []
    for i in range(300):
        nb.run("y = %d" % i, cell_id="t%d" % i)
        request = json.dumps({"v": 1, "cellId": "t%d" % i, "parameters": False, "environment": False,
                              "snapshotMaxBytes": 1 << 30, "notebookDir": nb.dir})
        started = time.thread_time()  # CPU time of this thread: other jobs on a loaded machine do not count
        rt._delta(request)
        times.append(time.thread_time() - started)
    times.sort()
    median, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
    print("trivial delta: median %.3f ms, p95 %.3f ms" % (median * 1000, p95 * 1000))
    assert median < 0.001 and p95 < 0.003


def test_namespace_without_data_libraries_is_cheap(nb):
    assert "runtrail" in sys.modules
    nb.run("a = 1", cell_id="c1")
    assert nb.delta()["snapshots"] == []


def test_large_objects_are_fingerprinted_again_only_when_the_cell_can_change_them(nb, monkeypatch):
    rt = nb.rt
    calls = []
    original = rt._fingerprint

    def counting(obj, kind, max_bytes):
        calls.append(kind)
        return original(obj, kind, max_bytes)

    monkeypatch.setattr(rt, "_fingerprint", counting)
    nb.run("import numpy as np\nrng = np.random.default_rng(1)\nbig = rng.random(4_000_000)", cell_id="c0")
    fingerprints = [nb.settled_delta()["snapshots"][0]["fingerprint"]]  # 32 MB: in the background

    def changed_by(cell, index):
        nb.run(cell, cell_id="c%d" % index)
        snaps = [s for s in nb.settled_delta()["snapshots"] if s["name"] == "big"]
        if snaps:
            assert snaps[0]["fingerprint"] not in fingerprints
            fingerprints.append(snaps[0]["fingerprint"])
        return bool(snaps)

    before = len(calls)
    assert not changed_by("total = big.sum()\nprint(big.shape, len(big))", 1)
    assert len(calls) == before  # a 32 MB array that is only read is not hashed again
    assert changed_by("big.sort()", 2)
    assert changed_by("rng.shuffle(big)", 3)
    assert changed_by("np.multiply(big, 2.0, out=big)", 4)
    assert not changed_by("def bump(a):\n    a[123] += 1\ndef touch():\n    big[7] = -1.0", 5)
    assert changed_by("bump(big)", 6)
    assert changed_by("touch()", 7)
    assert changed_by("big[5:10] = 0", 8)
    assert changed_by("del big", 9) is False


def test_small_objects_are_fingerprinted_again_whenever_a_cell_mentions_them(nb):
    nb.run("import numpy as np\nsmall = np.zeros(1000)\nview = small[10:]", cell_id="c1")
    before = {s["name"]: s["fingerprint"] for s in nb.delta()["snapshots"]}
    nb.run("view[500] = 3.0\nsmall.mean()", cell_id="c2")  # changed through a view, then mentioned
    after = {s["name"]: s["fingerprint"] for s in nb.delta()["snapshots"]}
    assert after["small"] != before["small"] and after["view"] != before["view"]
