"""Drives a real ipykernel over jupyter_client the way the runtrail frontends do (test and benchmark support).

`execute()` sends execute_request messages with JupyterLab's metadata (`cellId`), `delta()` sends the silent
user-expression request of core/capture/delta.ts and returns the KernelDelta from
`reply.content.user_expressions.runtrail.data['application/json']`.
"""
import json
import os
import queue
import shutil
import tempfile
import time

HELPER_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtrail_kernel.py")


def helper_source():
    with open(HELPER_PATH, encoding="utf-8") as handle:
        return handle.read()


def js_string(value):
    """JSON.stringify of a string (no ASCII escaping of other characters, like JavaScript)."""
    return json.dumps(value, ensure_ascii=False)


def bootstrap_code(source, config):
    """Python text of core/capture/delta.ts `bootstrapCode(helperSource, config)`, line for line."""
    return "\n".join(
        [
            "def __runtrail_bootstrap(src, config):",
            "    import sys, types",
            "    module = types.ModuleType('runtrail')",
            "    module.__file__ = '<runtrail>'",
            "    exec(compile(src, '<runtrail>', 'exec'), module.__dict__)",
            "    sys.modules['runtrail'] = module",
            "    module._install(config)",
            "__runtrail_bootstrap(%s, %s)" % (js_string(source), js_string(js_string_config(config))),
            "del __runtrail_bootstrap",
        ]
    )


def js_string_config(config):
    return json.dumps(config, separators=(",", ":"))


def delta_request(environment=False, max_bytes=1 << 30, notebook_dir=""):
    """A DeltaRequest of core/capture/delta.ts."""
    return {"v": 1, "environment": environment, "snapshotMaxBytes": max_bytes, "notebookDir": notebook_dir}


def delta_expression(request):
    """core/capture/delta.ts `deltaExpression(request)`."""
    return "__import__('runtrail')._delta(%s)" % js_string(js_string_config(request))


class KernelSession:
    """One ipykernel process (the venv's Python) with a client connected to it."""

    def __init__(self, cwd, extra_env=None):
        from jupyter_client.manager import KernelManager

        self.state_dir = tempfile.mkdtemp(prefix="runtrail-kernel-")
        env = dict(os.environ, IPYTHONDIR=os.path.join(self.state_dir, "ipython"),
                   JUPYTER_RUNTIME_DIR=os.path.join(self.state_dir, "runtime"), PYDEVD_DISABLE_FILE_VALIDATION="1")
        env.update(extra_env or {})
        self.cwd = cwd
        self.env = env
        self.manager = KernelManager(kernel_name="python3", connection_file=os.path.join(self.state_dir, "kernel.json"))
        self.manager.start_kernel(cwd=cwd, env=env)
        self._connect()

    def _connect(self):
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def restart(self):
        self.client.stop_channels()
        self.manager.restart_kernel(now=True)
        self._connect()

    def close(self):
        try:
            self.client.stop_channels()
        finally:
            self.manager.shutdown_kernel(now=True)
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def execute(self, code, cell_id=None, silent=False, store_history=True, user_expressions=None, timeout=60):
        """Sends one execute_request and returns (reply, iopub messages of that request until idle)."""
        content = {"code": code, "silent": silent, "store_history": store_history,
                   "user_expressions": user_expressions or {}, "allow_stdin": False, "stop_on_error": True}
        metadata = {"cellId": cell_id} if cell_id else {}
        message = self.client.session.msg("execute_request", content, metadata=metadata)
        self.client.shell_channel.send(message)
        msg_id = message["header"]["msg_id"]
        deadline = time.monotonic() + timeout
        reply = None
        while reply is None:
            candidate = self.client.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
            if candidate["parent_header"].get("msg_id") == msg_id:
                reply = candidate
        outputs = []
        while True:
            try:
                msg = self.client.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError("no idle status for %s" % msg_id) from None
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
            outputs.append(msg)
        return reply, outputs

    def run_all(self, cells, mode="plain", timeout=600):
        """JupyterLab's Run All: every cell's execute_request is sent at once (the kernel queues them).
        mode "plain": nothing else; "delta": each cell's reply is followed by its delta request (delta.ts);
        "piggyback": each cell's own execute_request carries the delta user expression. Returns the deltas."""
        pending = {}
        for cell_id, code in cells:
            expressions = {}
            if mode == "piggyback":
                expressions = {"runtrail": delta_expression(delta_request(notebook_dir=self.cwd))}
            content = {"code": code, "silent": False, "store_history": True, "user_expressions": expressions,
                       "allow_stdin": False, "stop_on_error": True}
            message = self.client.session.msg("execute_request", content, metadata={"cellId": cell_id})
            self.client.shell_channel.send(message)
            pending[message["header"]["msg_id"]] = ("cell", cell_id)
        deltas = []
        deadline = time.monotonic() + timeout
        while pending:
            reply = self.client.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
            kind, cell_id = pending.pop(reply["parent_header"].get("msg_id"), (None, None))
            if kind == "cell" and reply["content"]["status"] != "ok":
                raise RuntimeError("cell %s failed: %s" % (cell_id, reply["content"].get("evalue")))
            if kind == "cell" and mode == "delta":
                content = {"code": "", "silent": True, "store_history": False, "allow_stdin": False,
                           "user_expressions": {"runtrail": delta_expression(delta_request(notebook_dir=self.cwd))}}
                message = self.client.session.msg("execute_request", content)
                self.client.shell_channel.send(message)
                pending[message["header"]["msg_id"]] = ("delta", cell_id)
            elif kind == "delta" or (kind == "cell" and mode == "piggyback"):
                result = reply["content"]["user_expressions"]["runtrail"]
                if result["status"] != "ok":
                    raise RuntimeError("delta failed: %s" % result.get("evalue"))
                deltas.append(result["data"]["application/json"])
        return deltas

    def drain_iopub(self):
        while True:
            try:
                self.client.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                return

    def inject(self, config=None):
        reply, outputs = self.execute(bootstrap_code(helper_source(), config or {"backendUrl": None, "token": None}),
                                      silent=True, store_history=False)
        return reply, outputs

    def delta_raw(self, **kwargs):
        kwargs.setdefault("notebook_dir", self.cwd)
        expression = delta_expression(delta_request(**kwargs))
        return self.execute("", silent=True, store_history=False, user_expressions={"runtrail": expression})

    def delta_reply(self, **kwargs):
        """The delta request's reply only (what a frontend needs), without waiting for the idle status."""
        kwargs.setdefault("notebook_dir", self.cwd)
        content = {"code": "", "silent": True, "store_history": False, "allow_stdin": False,
                   "user_expressions": {"runtrail": delta_expression(delta_request(**kwargs))}}
        message = self.client.session.msg("execute_request", content)
        self.client.shell_channel.send(message)
        while True:
            reply = self.client.get_shell_msg(timeout=60)
            if reply["parent_header"].get("msg_id") == message["header"]["msg_id"]:
                return reply

    def delta(self, **kwargs):
        reply, outputs = self.delta_raw(**kwargs)
        result = reply["content"]["user_expressions"]["runtrail"]
        if result["status"] != "ok":
            raise RuntimeError("delta failed: %s: %s" % (result.get("ename"), result.get("evalue")))
        data = result["data"]["application/json"]
        return json.loads(data) if isinstance(data, str) else data, outputs

    def settled_delta(self, **kwargs):
        """A delta plus what the helper's background thread still had to finish for it, as one: the follow-up
        requests a frontend sends while a delta says work is `pending`."""
        delta, outputs = self.delta(**kwargs)
        last = delta
        while last["pending"] > 0:
            time.sleep(0.02)
            last, more = self.delta()
            outputs += more
            for key in ("snapshots", "columnStats", "superseded", "warnings"):
                delta[key] += last[key]
        delta["pending"] = 0
        return delta, outputs
