"""Kernels without the optional libraries: no pandas, or nothing but the standard library."""
import json
import os
import subprocess
import sys
import textwrap

from conftest import HERE, bootstrap_code, check_delta, delta_request, helper_source


def run_python(script, block):
    prelude = "import sys\n" + "".join("sys.modules[%r] = None\n" % name for name in block)
    env = dict(os.environ, PYTHONPATH=HERE, IPYTHONDIR=os.path.join(os.environ.get("TMPDIR", "/tmp"), "rt-degraded-ipython"))
    # The script goes through stdin: with the helper's source in it, it is longer than one argument may be.
    done = subprocess.run([sys.executable, "-"], input=prelude + textwrap.dedent(script), env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_ipython_kernel_without_pandas(tmp_path):
    bootstrap = bootstrap_code(helper_source(), {"backendUrl": None, "token": None})
    (tmp_path / "input.txt").write_text("data")
    script = """
        import json
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        assert shell.run_cell(%r, silent=True).success
        assert shell.run_cell("import numpy as np\\nimport runtrail\\nx = np.arange(10)\\nlr = 0.5\\n"
                              "runtrail.log_metric('m', 1)\\nopen(%r).read()\\n"
                              "try:\\n    import pandas\\nexcept ImportError:\\n    pass", store_history=True, cell_id="c1").success
        answer = __import__('runtrail')._delta(%r)
        print(json.dumps(answer.data))
    """ % (bootstrap, str(tmp_path / "input.txt"), json.dumps(delta_request(environment=True, notebook_dir=str(tmp_path))))
    delta = check_delta(run_python(script, ["pandas", "polars", "pyarrow"]))
    assert delta["warnings"] == []
    assert {s["name"]: s["kind"] for s in delta["snapshots"]} == {"x": "numpy", "input.txt": "file"}
    assert [p for c in delta["cells"] for p in c["params"]] == [{"key": "lr", "value": 0.5, "origin": "literal-assignment"}]
    assert delta["metrics"][0]["key"] == "m" and delta["environment"]["packages"]


def test_standard_library_only_interpreter():
    script = """
        import json, sys, types
        src = open(%r).read()
        module = types.ModuleType('runtrail')
        exec(compile(src, '<runtrail>', 'exec'), module.__dict__)
        sys.modules['runtrail'] = module
        module._install('null')
        import runtrail
        runtrail.log_metric('loss', 0.5)
        runtrail.log_param('p', {'a': [1, 2]})
        delta = runtrail._delta(%r)
        assert isinstance(delta, dict)
        assert all(sys.modules.get(name) is None for name in ('numpy', 'pandas', 'IPython', 'xxhash'))
        assert delta['snapshots'] == [] and runtrail._hasher_factory()[0] == 'b2b128'
        print(json.dumps(delta))
    """ % (os.path.join(HERE, "runtrail_kernel.py"), json.dumps(delta_request(environment=True)))
    delta = check_delta(run_python(script, ["numpy", "pandas", "polars", "pyarrow", "xxhash", "IPython"]))
    assert delta["metrics"][0]["value"] == 0.5 and delta["explicitParams"][0]["value"] == {"a": [1, 2]}
    assert delta["warnings"] == [] and delta["environment"]["python"]
