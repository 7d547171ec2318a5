"""Runs one step of a runtrail pipeline in the project's Python (spawned by `runtrail pipeline run`).

Usage: python step_runner.py JOB_JSON

The job names the project folder, the step module and function, its inputs (files already in the local cache,
with their format and kind), its params, the outputs it must return, the folder to write them to and the
runtrail kernel helper (packages/kernel/runtrail_kernel.py, stdlib-only) whose `fingerprint()` gives data
outputs the same fingerprint a notebook snapshot of the same value has.

Outputs are stored by type: pandas / polars DataFrames and Arrow tables as parquet, numpy arrays (not of object
dtype) as .npy, anything else pickled. Files the step opens for reading inside the project while it runs are
reported, so that a changed data file makes the step stale. The result goes to `result.json` in the output
folder, written last (the caller treats a folder without it as incomplete); on an error the result holds the
exception and the exit code is 1.
"""
import hashlib
import importlib.util
import json
import os
import pickle
import sys
import traceback

_recording = False
_files_read = set()


def _load_kernel(path):
    spec = importlib.util.spec_from_file_location("runtrail_pipeline_kernel", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _is_read(mode, flags):
    if isinstance(mode, str):
        return "r" in mode and not any(c in mode for c in "wax+")
    if isinstance(flags, int):
        return flags & (os.O_WRONLY | os.O_RDWR) == 0
    return False


def _audit(project, skip):
    def hook(event, args):
        if not _recording or event != "open" or not args:
            return
        path = args[0]
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return
        mode = args[1] if len(args) > 1 else None
        flags = args[2] if len(args) > 2 else None
        if not _is_read(mode, flags):
            return
        full = os.path.realpath(os.path.join(project, path))
        if not full.startswith(project + os.sep) or full.startswith(skip):
            return
        if full.endswith((".py", ".pyc")) or "__pycache__" in full or not os.path.isfile(full):
            return
        _files_read.add(os.path.relpath(full, project).replace(os.sep, "/"))

    return hook


def _load_step_module(project, step, source):
    """Imports a step module under a stable name, so values of classes it defines pickle and unpickle."""
    name = "runtrail_step_" + step
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, os.path.join(project, source))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _load_input(project, item):
    path, fmt, kind = item["path"], item["format"], item.get("kind")
    producer = item.get("producer")
    if fmt == "pickle" and producer:
        # The value may be an instance of a class its producing step defined.
        _load_step_module(project, producer["step"], producer["source"])
    if fmt == "parquet":
        if kind == "polars":
            import polars

            return polars.read_parquet(path)
        if kind == "arrow":
            import pyarrow.parquet

            return pyarrow.parquet.read_table(path)
        import pandas

        return pandas.read_parquet(path)
    if fmt == "npy":
        import numpy

        return numpy.load(path, allow_pickle=False)
    if fmt == "json":
        with open(path, "r", encoding="utf-8") as f:
            return json.load(f)
    with open(path, "rb") as f:
        return pickle.load(f)


def _write_output(kernel, name, value, folder):
    """Writes `value` by type; returns (format, kind, file, fingerprint, shape)."""
    kind = kernel._data_kind(value)
    base = os.path.join(folder, name)
    if kind in ("pandas", "polars", "arrow") and _is_table(value, kind):
        try:
            path = base + ".parquet"
            if kind == "pandas":
                value.to_parquet(path)
            elif kind == "polars":
                value.write_parquet(path)
            else:
                import pyarrow.parquet

                pyarrow.parquet.write_table(value, path)
            return _described(kernel, value, kind, "parquet", path)
        except Exception:
            # No parquet engine, or columns parquet cannot hold (mixed objects): pickle keeps the value whole.
            if os.path.exists(path):
                os.remove(path)
    if kind == "numpy" and value.dtype != object:
        path = base + ".npy"
        import numpy

        numpy.save(path, value, allow_pickle=False)
        return _described(kernel, value, kind, "npy", path)
    path = base + ".pickle"
    try:
        with open(path, "wb") as f:
            pickle.dump(value, f, protocol=4)
    except Exception as error:
        raise _StepError(
            "output %r (%s) cannot be serialized: %s: %s" % (name, type(value).__name__, type(error).__name__, error)
        )
    return _described(kernel, value, kind, "pickle", path)


def _is_table(value, kind):
    if kind == "pandas":
        return type(value).__name__ == "DataFrame"
    if kind == "polars":
        return type(value).__name__ == "DataFrame"
    return type(value).__name__ == "Table"


def _described(kernel, value, kind, fmt, path):
    shape = []
    if kind is not None:
        # The kernel helper's content fingerprint: equal data gives equal fingerprints in any process.
        info = kernel._fingerprint(value, kind, sys.maxsize)
        fingerprint, shape = info["fingerprint"], info["shape"]
    else:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        fingerprint = "sha256:" + digest.hexdigest()
    return {"format": fmt, "kind": kind or "object", "file": os.path.basename(path), "fingerprint": fingerprint, "shape": shape}


class _StepError(Exception):
    pass


def _write_result(folder, result):
    temp = os.path.join(folder, ".result.json.tmp")
    with open(temp, "w", encoding="utf-8") as f:
        json.dump(result, f)
    os.replace(temp, os.path.join(folder, "result.json"))


def main(job_path):
    global _recording
    with open(job_path, "r", encoding="utf-8") as f:
        job = json.load(f)
    folder = job["outDir"]
    project = os.path.realpath(job["project"])
    kernel = _load_kernel(job["kernel"])
    for path in (project, os.path.dirname(os.path.join(project, job["source"]))):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.chdir(project)
    sys.addaudithook(_audit(project, os.path.realpath(job["cacheDir"]) + os.sep))
    try:
        args = {item["name"]: _load_input(project, item) for item in job["inputs"]}
        args.update(job["params"])
        module = _load_step_module(project, job["step"], job["source"])
        function = getattr(module, job["function"], None)
        if not callable(function):
            raise _StepError("%s defines no function %r" % (job["source"], job["function"]))
        _recording = True
        try:
            returned = function(**args)
        finally:
            _recording = False
        outputs = []
        wanted = job["outputs"]
        if wanted and not isinstance(returned, dict):
            raise _StepError("the function returned %s, not a dict of its outputs" % type(returned).__name__)
        for name in wanted:
            if name not in returned:
                raise _StepError("the function returned no value for output %r" % name)
            described = _write_output(kernel, name, returned[name], folder)
            described["name"] = name
            outputs.append(described)
        _write_result(folder, {"ok": True, "outputs": outputs, "files": sorted(_files_read)})
        return 0
    except BaseException as error:  # noqa: B902 - every failure, KeyboardInterrupt included, is reported
        if isinstance(error, _StepError):
            tb = ""
        else:
            tb = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            sys.stderr.write(tb)
        kind = "" if isinstance(error, _StepError) else type(error).__name__
        _write_result(folder, {"ok": False, "error": {"type": kind, "message": str(error), "traceback": tb}})
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
