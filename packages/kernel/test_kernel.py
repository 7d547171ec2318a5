"""The helper in a real ipykernel, driven over jupyter_client exactly as the frontends do (delta.ts)."""
import pytest

from conftest import check_delta, params_of
from kernel_client import KernelSession

OUTPUT_TYPES = {"stream", "display_data", "execute_result", "error", "update_display_data"}


@pytest.fixture
def kernel(tmp_path):
    session = KernelSession(str(tmp_path))
    yield session
    session.close()


def user_cell(kernel, code, cell_id):
    reply, outputs = kernel.execute(code, cell_id=cell_id)
    return reply["content"], outputs


def test_notebook_session_in_a_real_kernel(kernel, tmp_path):
    (tmp_path / "train.csv").write_text("x,y\n1,2\n3,4\n5,6\n")
    # Before injection the expression fails: that is how a frontend learns it must inject.
    reply, _ = kernel.delta_raw()
    assert reply["content"]["user_expressions"]["runtrail"]["ename"] == "ModuleNotFoundError"
    reply, outputs = kernel.inject()
    assert reply["content"]["status"] == "ok" and not [m for m in outputs if m["msg_type"] in OUTPUT_TYPES]

    content, _ = user_cell(kernel, "lr = 0.01\n!true\nepochs = 3\n%xmode Plain", "params")
    assert content["status"] == "ok" and content["execution_count"] == 1
    delta, outputs = kernel.delta(environment=True)
    check_delta(delta)
    assert not [m for m in outputs if m["msg_type"] in OUTPUT_TYPES]  # nothing shows in the notebook
    assert delta["cells"] == [{"executionCount": 1, "namesWritten": ["lr", "epochs"], "params": [
        {"key": "lr", "value": 0.01, "origin": "literal-assignment"},
        {"key": "epochs", "value": 3, "origin": "literal-assignment"}]}]
    assert delta["environment"]["packages"]["ipykernel"]

    content, _ = user_cell(kernel, "import pandas as pd\ndf = pd.read_csv('train.csv')", "load")
    assert content["execution_count"] == 2  # the silent delta requests did not count
    # Cells sent back to back are a burst: small objects' snapshots may come in a follow-up delta.
    delta, _ = kernel.settled_delta()
    snapshots = {s["name"]: s for s in check_delta(delta)["snapshots"]}
    assert set(snapshots) == {"df", "train.csv"}
    assert snapshots["df"]["shape"] == [3, 2] and snapshots["train.csv"]["kind"] == "file"
    first_fingerprint = snapshots["df"]["fingerprint"]

    content, _ = user_cell(kernel, "import runtrail\nfor step in range(5):\n    runtrail.log_metric('loss', 1 / (step + 1))", "loop")
    delta, _ = kernel.delta()
    assert [(m["step"], m["value"]) for m in check_delta(delta)["metrics"]] == [(i, 1 / (i + 1)) for i in range(5)]

    content, _ = user_cell(kernel, "df.loc[1, 'y'] = 40\nraise ValueError('bad')", "failing")
    assert content["status"] == "error"
    delta, _ = kernel.settled_delta()
    [changed] = check_delta(delta)["snapshots"]
    assert changed["name"] == "df" and changed["fingerprint"] != first_fingerprint

    # A page reload re-injects into the same kernel: one hook, nothing lost, seq goes on.
    kernel.inject()
    content, _ = user_cell(kernel, "batch = 64", "after-reload")
    delta, _ = kernel.delta()
    assert params_of(delta) == {"batch": 64} and delta["cells"][0]["executionCount"] == 5
    seq_before_restart = delta["seq"]
    assert seq_before_restart >= 5

    # After a restart the helper is gone; equal data gives the equal fingerprint in the new process.
    kernel.restart()
    reply, _ = kernel.delta_raw()
    assert reply["content"]["user_expressions"]["runtrail"]["status"] == "error"
    kernel.inject()
    user_cell(kernel, "import pandas as pd\ndf = pd.read_csv('train.csv')", "load")
    delta, _ = kernel.settled_delta()
    assert delta["seq"] == 1
    assert {s["name"]: s["fingerprint"] for s in delta["snapshots"]}["df"] == first_fingerprint


def test_a_cell_run_before_injection_is_still_captured(kernel):
    content, _ = user_cell(kernel, "alpha = 0.5", "first")
    assert content["status"] == "ok"
    kernel.inject()
    delta, _ = kernel.delta()
    assert delta["cells"] == [{"executionCount": 1, "namesWritten": ["alpha"],
                               "params": [{"key": "alpha", "value": 0.5, "origin": "literal-assignment"}]}]


def test_the_delta_expression_can_ride_on_the_cells_own_request(kernel):
    kernel.inject()
    from kernel_client import delta_expression, delta_request

    expression = delta_expression(delta_request(notebook_dir=kernel.cwd))
    reply, outputs = kernel.execute("import runtrail\nk = 7\nruntrail.log_metric('m', 2.5)", cell_id="c1",
                                    user_expressions={"runtrail": expression})
    delta = check_delta(reply["content"]["user_expressions"]["runtrail"]["data"]["application/json"])
    assert params_of(delta) == {"k": 7}
    assert [m["value"] for m in delta["metrics"]] == [2.5]
    assert not [m for m in outputs if m["msg_type"] in OUTPUT_TYPES]


def test_the_benchmarks_pause_removes_the_helper_and_resume_keeps_its_state(kernel):
    """tests/bench/kernel_latency_bench.py pairs paused and tracked runs in one kernel (decision 0035): paused must
    mean no helper at work (no hooks, no open() wrapper, no recorded cells), and resuming must go on from the kept
    state (an object reported before and unchanged is not reported again)."""
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "bench"))
    from kernel_latency_bench import PAUSE_TRACKING, RESUME_TRACKING

    kernel.inject()
    user_cell(kernel, "import numpy as np\nsmall = np.arange(10)\nlog_metric = None", "a")
    delta, _ = kernel.delta()
    assert [s["name"] for s in delta["snapshots"]] == ["small"]

    probe = ("import builtins, io\nhooks = len([f for e in ('pre_run_cell', 'post_run_cell') "
             "for f in get_ipython().events.callbacks[e] if getattr(f, '__module__', '') == 'runtrail'])\n"
             "wrapped = [getattr(o, '__runtrail_wrapper__', False) for o in (builtins.open, io.open, open)]")

    def helper_traces():
        reply, _ = kernel.execute(probe, silent=True, store_history=False, user_expressions={"t": "(hooks, wrapped)"})
        return reply["content"]["user_expressions"]["t"]["data"]["text/plain"]

    assert helper_traces() == "(2, [True, True, True])"
    reply, _ = kernel.execute(PAUSE_TRACKING, silent=True, store_history=False)
    assert reply["content"]["status"] == "ok"
    assert helper_traces() == "(0, [False, False, False])"
    content, _ = user_cell(kernel, "x = 1\nlog_metric('loss', 1.0)", "paused")
    assert content["status"] == "ok"

    reply, _ = kernel.execute(RESUME_TRACKING, silent=True, store_history=False)
    assert reply["content"]["status"] == "ok"
    user_cell(kernel, "y = 2\nsmall.sum()", "resumed")
    delta, _ = kernel.delta()
    assert [c["namesWritten"] for c in delta["cells"]] == [["y"]]  # the paused cell was not recorded
    assert delta["snapshots"] == [] and delta["metrics"] == []
