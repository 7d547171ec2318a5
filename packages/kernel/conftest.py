"""Fixtures for the kernel helper's tests: an in-process IPython shell with the helper injected the way the
frontend does it (core/capture/delta.ts `bootstrapCode`), and a checker of the KernelDelta shape."""
import json
import math
import os
import re
import sys

import pytest

from kernel_client import HELPER_PATH, bootstrap_code, delta_expression, delta_request, helper_source  # noqa: F401

# Keep IPython's profile and history out of the user's home.
os.environ.setdefault("IPYTHONDIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "runtrail-kernel-tests-ipython"))

HERE = os.path.dirname(os.path.abspath(__file__))
KEY_RE = re.compile(r"^[\w\-. /:]+$", re.ASCII)
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def params_of(delta):
    """{key: value} of the literal-assignment params of all cells of a delta (later cells win)."""
    return {p["key"]: p["value"] for cell in delta["cells"] for p in cell["params"]}


def names_written(delta):
    return [n for cell in delta["cells"] for n in cell["namesWritten"]]


def check_delta(delta):
    """The KernelDelta schema (core/capture/delta.ts) in plain assertions; returns the delta."""
    json.dumps(delta, allow_nan=False)
    assert delta["v"] == 1 and isinstance(delta["seq"], int) and delta["seq"] >= 0
    assert set(delta) == {"v", "seq", "cells", "explicitParams", "metrics", "tags", "snapshots", "columnStats",
                          "superseded", "pending", "artifacts", "environment", "warnings"}
    assert isinstance(delta["pending"], int) and delta["pending"] >= 0
    for key in ("cells", "explicitParams", "metrics", "tags", "snapshots", "columnStats", "artifacts", "warnings"):
        assert isinstance(delta[key], list), key
    for cell in delta["cells"]:
        assert set(cell) == {"executionCount", "params", "namesWritten"}
        assert cell["executionCount"] is None or isinstance(cell["executionCount"], int)
        assert all(isinstance(n, str) for n in cell["namesWritten"]) and len(cell["namesWritten"]) <= 1000
        assert all(p["origin"] == "literal-assignment" for p in cell["params"])
    for param in [p for c in delta["cells"] for p in c["params"]] + delta["explicitParams"]:
        assert KEY_RE.match(param["key"]) and len(param["key"]) <= 250
        assert param["origin"] in ("literal-assignment", "explicit")
        assert len(json.dumps(param["value"])) <= 6000
    for metric in delta["metrics"]:
        assert KEY_RE.match(metric["key"])
        assert isinstance(metric["value"], (int, float)) or metric["value"] in ("NaN", "Infinity", "-Infinity")
        assert isinstance(metric["step"], int) and metric["step"] >= 0
        assert isinstance(metric["timestamp"], int) and metric["timestamp"] >= 0
    for tag in delta["tags"]:
        assert KEY_RE.match(tag["key"]) and isinstance(tag["value"], str) and len(tag["value"]) <= 8000
    for snap in delta["snapshots"]:
        assert set(snap) <= {"name", "kind", "fingerprint", "sampled", "shape", "columns", "statsPending", "executionCount",
                             "blob"}
        assert snap.get("executionCount") is None or isinstance(snap["executionCount"], int)
        assert snap.get("statsPending", False) is False or snap["columns"] == []
        assert 1 <= len(snap["name"]) <= 1024
        assert snap["kind"] in ("pandas", "polars", "numpy", "arrow", "file")
        assert 8 <= len(snap["fingerprint"]) <= 128
        assert isinstance(snap["sampled"], bool)
        assert all(isinstance(s, int) and s >= 0 for s in snap["shape"]) and len(snap["shape"]) <= 32
        check_columns(snap["columns"])
    for item in delta["superseded"]:
        assert set(item) == {"name", "executionCount"} and isinstance(item["name"], str)
        assert item["executionCount"] is None or isinstance(item["executionCount"], int)
    for stats in delta["columnStats"]:
        assert set(stats) == {"fingerprint", "name", "columns"}
        assert 8 <= len(stats["fingerprint"]) <= 128 and 1 <= len(stats["name"]) <= 1024
        check_columns(stats["columns"])
    for artifact in delta["artifacts"]:
        assert SHA256_RE.match(artifact["sha256"]) and artifact["size"] >= 0 and artifact["path"]
    env = delta["environment"]
    if env is not None:
        assert set(env) <= {"python", "os", "packages", "git"}
        assert all(len(k) <= 255 and len(v) <= 255 for k, v in env["packages"].items())
        if "git" in env:
            assert len(env["git"]["commit"]) <= 64 and isinstance(env["git"]["dirty"], bool)
            assert len(env["git"].get("diff", "")) <= 1_000_000
    assert all(isinstance(w, str) for w in delta["warnings"])
    return delta


def _reset_helper():
    previous = getattr(sys, "_runtrail_installation", None)
    if isinstance(previous, dict):
        previous["uninstall"]()
    if hasattr(sys, "_runtrail_installation"):
        del sys._runtrail_installation
    sys.modules.pop("runtrail", None)


@pytest.fixture(scope="session")
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


class Session:
    """A notebook in an in-process IPython shell with the helper injected as the frontend does it."""

    def __init__(self, shell, tmp_path):
        self.shell = shell
        self.dir = str(tmp_path)

    # Cells run back to back here, faster than a person runs them: by default they count as run one at a time
    # (snapshots of small objects in the cell's own delta); `as_run_all()` makes them a Run All burst.
    burst_gap = 0.0

    def inject(self, config=None):
        result = self.shell.run_cell(bootstrap_code(helper_source(), config), store_history=False, silent=True)
        assert result.success, result.error_in_exec or result.error_before_exec
        module = sys.modules["runtrail"]
        module._BURST_GAP_S = self.burst_gap
        return module

    def as_run_all(self):
        """From now on every cell starts as part of a burst, as under JupyterLab's Run All."""
        self.burst_gap = 3600.0
        self.rt._BURST_GAP_S = self.burst_gap

    @property
    def rt(self):
        return sys.modules["runtrail"]

    def run(self, source, cell_id=None):
        return self.shell.run_cell(source, store_history=True, cell_id=cell_id)

    def delta(self, **kwargs):
        kwargs.setdefault("notebook_dir", self.dir)
        answer = self.rt._delta(json.dumps(delta_request(**kwargs)))
        data = answer.data if hasattr(answer, "data") else answer
        return check_delta(data)

    def settled_delta(self, **kwargs):
        """A delta plus what the background thread still had to finish for it (large objects), as one."""
        first = self.delta(**kwargs)
        assert self.rt._wait_for_statistics(10)
        later = self.delta()
        first["snapshots"] += later["snapshots"]
        first["columnStats"] += later["columnStats"]
        first["warnings"] += later["warnings"]
        first["pending"] = later["pending"]
        return first


@pytest.fixture
def nb(shell, tmp_path, monkeypatch):
    """A fresh notebook session: empty namespace, fresh helper state, cwd in a temporary notebook folder."""
    _reset_helper()
    monkeypatch.chdir(tmp_path)
    shell.reset(new_session=False)
    shell.execution_count = 1
    history = shell.history_manager
    del history.input_hist_parsed[1:]
    del history.input_hist_raw[1:]
    shell.starting_dir = str(tmp_path)
    session = Session(shell, tmp_path)
    session.inject()
    yield session
    _reset_helper()


def check_columns(columns):
    """ColumnStats records (core/schema/records.ts) in plain assertions."""
    for column in columns:
        assert isinstance(column["column"], str) and len(column["column"]) <= 1024
        assert isinstance(column["dtype"], str) and len(column["dtype"]) <= 255
        assert isinstance(column["count"], int) and column["count"] >= 0
        assert isinstance(column["nulls"], int) and column["nulls"] >= 0
        for key in ("mean", "std"):
            assert column.get(key) is None or (isinstance(column[key], float) and math.isfinite(column[key]))
        assert column.get("distinct") is None or (isinstance(column["distinct"], int) and column["distinct"] >= 0)
