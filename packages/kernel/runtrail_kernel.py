"""runtrail kernel helper: what a notebook's kernel tells runtrail after every cell.

The frontend injects this file's source into the user's kernel (core/capture/delta.ts `bootstrapCode`): it runs
as module `runtrail` (so `import runtrail; runtrail.log_metric("loss", 0.1)` works) and `_install(config_json)`
is called. Nothing has to be pip-installed: the baseline is the standard library; numpy, pandas, polars, pyarrow
and xxhash are used when the user's kernel already has them (imported lazily, never forced).

Delta protocol (see core/capture/delta.ts). After each execution the frontend evaluates, as a silent user
expression, `__import__('runtrail')._delta('<DeltaRequest JSON>')` and gets `IPython.display.JSON(<KernelDelta>)`.
Everything learnt since the previous delta is handed over exactly once, numbered by `seq`:
- cells: one record per execution since the previous delta (several under Run All), keyed by execution count,
  with its params (top-level assignments of literals: `lr = 0.1`, `layers = [64, 64]`; origin
  literal-assignment, the frontend makes them parameters-cell for a `parameters` cell) and the names it bound;
- explicitParams, metrics, tags, artifacts: what user code logged through the public API below;
- snapshots: data objects in the user namespace that are new or whose content changed, and files under the
  notebook's folder that cells opened for reading;
- environment (when asked), warnings (problems of the helper; it never raises into user code).

Cells and files. A post_run_cell hook records each non-silent execution that stores history (source, success,
execution count); the next delta analyses and hands over all of them (the cell that ran before the helper was
injected is taken from IPython's input history). open()
(builtins, io, and the one IPython puts in the namespace) is wrapped to note paths opened for reading while a cell
runs, and literal paths of reader calls (`pd.read_parquet("x.parquet")`) count too; files are hashed in the delta,
never in open(), and cached by size, mtime and inode.

Change detection (which objects are fingerprinted again). Each DataFrame / Series / ndarray / Table in the user
namespace is cached by variable name with a weak reference to the object and a cheap version: shape, dtypes,
column and index identity, and for numpy/pandas the data pointer of every buffer plus a 16-element strided sample
of it. An object is fingerprinted again when
  1. its name is new or now points at another object, or
  2. its cheap version changed (reallocation, copy-on-write, a different sampled value, a new column), or
  3. a cell that ran since the previous delta can have changed it in place: its name is the base of an assigned,
     augmented or deleted target (`df.loc[3, "a"] = 0`, `arr[5] += 1`, `arr += 1`, `del df["a"]`), the
     receiver of a mutating method or of a call with `inplace=` / `in_place=` / `out=` (`arr.sort()`,
     `df.fillna(0, inplace=True)`), the first argument of a mutating function (`rng.shuffle(arr)`,
     `np.copyto(arr, x)`), an `out=` argument, an argument of a function the notebook defined, or a global
     that such a function changes (`def clean(): df.loc[...] = ...` then `clean()`), or
  4. the cell mentions its name at all and the object is at most 1 MiB (cheap, so any path counts).
Rule 2 is checked for the names the cells since the previous delta bound or mentioned (objects above 1 MiB only
when mentioned as a whole: `f(df)`, `x = df`, not `df.groupby(...)` or `df["a"]`, whose in-place changes rule 3
covers), and for every object every 64th delta (at least every 2 s): the namespace grows with every cell (IPython's
`_iN`), so scanning all of it after every cell would cost more with each one. Rules 3 and 4 make an in-place
change of a single value exact for the cell that made it. Large objects that a cell only reads (`df.groupby(...)`,
`print(df)`) are not hashed again: hashing every mentioned object cost more than 2% of a realistic notebook
(docs/benchmarks.md). A change made elsewhere (through an alias of a large object, a method of a class the notebook
defined, a library callback, a library function writing a view: `f(df["a"])`) is caught by rule 2 only.
Only snapshots whose fingerprint differs from the one last reported for that name are sent; column statistics
are cached by the column's content digest, so a frame with one new column pays statistics for that column only.
Objects above 4 MB are fingerprinted in a background thread once the kernel is idle, and arrive in a later delta
attributed to the execution that last changed them; a change made again before that supersedes the earlier one.
Under Run All, smaller objects go to that thread too, each execution's state frozen and fingerprinted exactly
(section "Fingerprints and statistics in the background"). Secrets are redacted before anything leaves the
kernel (section "Redaction").

Fingerprint (version 1): xxh3-128 (blake2b-128 without xxhash; the prefix says which) over the kind, the shape,
the index, and for each column in order its name, dtype and a digest of its values: fixed-width values as raw
bytes in row order (independent of memory layout), nullable and Arrow columns with null slots zeroed plus the
positions of nulls, strings as utf-8 with their lengths, other Python objects in a typed, seed-independent
encoding (pickle, then repr, as last resorts). Equal data gives equal fingerprints in any process; no id(),
pointer or hash seed enters it. Objects larger than `snapshotMaxBytes` are fingerprinted on 64 evenly spaced row
ranges totalling about that many bytes and reported with `sampled: true`.
"""

import ast
import builtins
import collections
import hashlib
import io
import json
import math
import os
import re
import struct
import sys
import threading
import time
import types
import weakref

FINGERPRINT_VERSION = b"runtrail-fingerprint-1"
_STATE_VERSION = 4
_KEY_RE = re.compile(r"^[A-Za-z0-9_\-. /:]+$")
_MAX_KEY = 250
_MAX_PARAM_JSON = 6000
_MAX_TAG_VALUE = 8000
_MAX_PARAM_NODES = 200
_MAX_PENDING_CELLS = 1000
_MAX_PENDING_METRICS = 1_000_000
_MAX_FILES_PER_DELTA = 10_000
_MAX_NAMES = 1000
_MAX_STATS_COLUMNS = 1000
_DISTINCT_EXACT_ROWS = 4096  # distinct is exact up to this many values, estimated from a sample above
_DISTINCT_SAMPLE_ROWS = 4096  # std and distinct of longer columns come from a sample of this many values
_SAMPLE_BLOCKS = 64
_CHUNK_ELEMS = 1 << 20
_GIT_TIMEOUT_S = 3.0
_GIT_DIFF_MAX = 1_000_000
_UPLOAD_ATTEMPTS = 5
_UPLOAD_BACKOFF_S = 1.0
_DEFAULT_MAX_BYTES = 1 << 30
_REFERENCED_REHASH_BYTES = 1 << 20
_STATS_INLINE_BYTES = 64 << 10  # larger objects get their column statistics from the background thread
_FULL_CHECK_EVERY = 64
_FULL_CHECK_S = 2.0
_DEFER_BYTES = 4 << 20  # larger objects are fingerprinted in the background, once the kernel is idle
_IDLE_S = 0.05  # the background thread starts after the kernel has run no cell for this long
_BURST_GAP_S = _IDLE_S  # a cell starting this soon after the previous one ended is part of a burst (Run All)
_HANDOVER_COPY_BYTES = 64 << 10  # numpy arrays up to this size are copied for the background thread under a burst
_HANDOVER_HELD_BYTES = 256 << 20  # at most this much of small objects' frozen states waits for the background thread
_READERS = frozenset(
    "read_csv read_table read_parquet read_json read_excel read_feather read_orc read_pickle read_hdf read_sas "
    "read_stata read_spss read_xml read_fwf read_ipc read_ipc_stream read_avro read_ndjson read_database_uri "
    "scan_csv scan_parquet scan_ipc scan_ndjson load loadtxt genfromtxt fromfile read_text read_bytes".split()
)
_PATH_KWARGS = ("filepath_or_buffer", "path", "path_or_buf", "source", "file", "fname", "io", "filename")
_SKIP_NAMES = frozenset(("In", "Out", "exit", "quit", "get_ipython"))


# --------------------------------------------------------------------------------------------------------------
# State (kept on `sys` so a re-injected copy of the helper takes over what the previous copy collected)
# --------------------------------------------------------------------------------------------------------------


def _new_state():
    return types.SimpleNamespace(
        version=_STATE_VERSION,
        seq=0,
        config={"backendUrl": None, "token": None},
        lock=threading.Lock(),
        cells=[],
        recording=False,
        files_read={},
        metrics=[],
        metric_steps={},
        dropped_metrics=0,
        explicit_params={},
        tags={},
        artifacts=[],
        warnings=[],
        snap_cache={},
        type_kinds={},
        functions={},
        file_cache={},
        uploads=None,
        start_dir=os.getcwd(),
        cell_epoch=0,
        last_cell_at=0.0,
        in_burst=False,
        exact_waiting={},
        held_bytes=0,
        scans=0,
        full_check_at=0.0,
        worker=None,
        wake=None,
        stats_jobs=collections.deque(),
        deferred={},
        running=0,
        stats_done=[],
        superseded=[],
    )


_state = _new_state()


def _warn(message):
    """Queues a warning for the next delta (thread-safe: upload threads use it too)."""
    with _state.lock:
        if len(_state.warnings) < 1000:
            _state.warnings.append(str(message)[:2000])


_shell_found = None


def _get_shell():
    """The IPython shell, if any (remembered: `IPython.get_ipython()` goes through a lazy module attribute, ~10 us,
    and the delta needs the shell twice per cell); a shell that is no longer the singleton is looked up again."""
    global _shell_found
    shell = _shell_found
    if shell is not None and getattr(type(shell), "_instance", None) is shell:
        return shell
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    try:
        shell = ipython.get_ipython()
    except Exception:
        return None
    _shell_found = shell
    return shell


def _user_namespace():
    shell = _get_shell()
    if shell is not None:
        return shell.user_ns
    main = sys.modules.get("__main__")
    return vars(main) if main is not None else {}


# --------------------------------------------------------------------------------------------------------------
# Installation
# --------------------------------------------------------------------------------------------------------------


def _install(config=None):
    """Installs the helper (called by the frontend's bootstrap code); installing again replaces the old hooks."""
    global _state
    previous = getattr(sys, "_runtrail_installation", None)
    state = None
    if isinstance(previous, dict):
        try:
            previous["uninstall"]()
        except Exception:
            pass
        old = previous.get("state")
        if getattr(old, "version", None) == _STATE_VERSION:
            state = old
    fresh = state is None
    if fresh:
        state = _new_state()
    _state = state
    state.config = _parse_config(config)
    shell = _get_shell()
    if shell is not None:
        state.start_dir = getattr(shell, "starting_dir", None) or state.start_dir
        shell.events.register("pre_run_cell", _pre_run_cell)
        shell.events.register("post_run_cell", _post_run_cell)
        try:
            _wrap_user_expressions(shell)
        except Exception:
            pass
        try:
            _wrap_ast_parse(shell)
        except Exception:
            pass
        if fresh:
            _backfill_last_cell(shell)
    _wrap_open()
    sys._runtrail_installation = {"version": _STATE_VERSION, "state": state, "uninstall": _uninstall}
    module = sys.modules.get(__name__)
    if module is not None and sys.modules.get("runtrail") is None:
        sys.modules["runtrail"] = module


def _uninstall():
    """Removes this copy's IPython hooks and open() wrapper; harmless to call twice."""
    shell = _get_shell()
    if shell is not None:
        for event, hook in (("pre_run_cell", _pre_run_cell), ("post_run_cell", _post_run_cell)):
            try:
                shell.events.unregister(event, hook)
            except Exception:
                pass
    _unwrap_open()
    try:
        if shell is not None:
            _unwrap_attribute(shell.display_formatter, "format")
            _unwrap_attribute(shell, "user_expressions")
            _unwrap_attribute(shell.compile, "ast_parse")
    except Exception:
        pass
    _state.recording = False
    if getattr(sys, "_runtrail_installation", {}).get("uninstall") is _uninstall:
        del sys._runtrail_installation


def _parse_config(config):
    if isinstance(config, (str, bytes)):
        try:
            config = json.loads(config)
        except ValueError:
            config = None
    config = config if isinstance(config, dict) else {}
    url = config.get("backendUrl")
    token = config.get("token")
    return {
        "backendUrl": url.rstrip("/") if isinstance(url, str) and url else None,
        "token": token if isinstance(token, str) and token else None,
    }


def _backfill_last_cell(shell):
    """The cell that ran before the helper was injected (first execution after a start) still counts."""
    try:
        history = shell.user_ns.get("_ih") or []
        if len(history) > 1 and history[-1].strip():
            count = getattr(shell, "execution_count", None)
            count = count - 1 if isinstance(count, int) and count > 1 else None
            _state.cells.append({"source": history[-1], "executionCount": count, "success": None})
    except Exception:
        pass


def _pre_run_cell(info=None):
    st = _state
    now = time.monotonic()
    st.recording = True
    st.cell_epoch += 1
    st.in_burst = now - st.last_cell_at < _BURST_GAP_S
    st.last_cell_at = now
    try:
        _wrap_namespace_open()  # %reset puts IPython's own open back
    except Exception:
        pass


def _post_run_cell(result=None):
    st = _state
    st.recording = False
    st.last_cell_at = time.monotonic()
    try:
        info = getattr(result, "info", None)
        if info is None or getattr(info, "silent", False) or not getattr(info, "store_history", True):
            return
        count = getattr(result, "execution_count", None)
        st.cells.append(
            {
                "source": getattr(info, "transformed_cell", None) or info.raw_cell or "",
                "executionCount": count if isinstance(count, int) and not isinstance(count, bool) else None,
                "success": bool(getattr(result, "success", True)),
            }
        )
        if len(st.cells) > _MAX_PENDING_CELLS:
            del st.cells[: len(st.cells) - _MAX_PENDING_CELLS]
            _warn("more than %d cells ran without a delta request; the oldest were dropped" % _MAX_PENDING_CELLS)
    except Exception as exc:
        _warn("post_run_cell hook failed: %r" % (exc,))


# --------------------------------------------------------------------------------------------------------------
# Files opened for reading
# --------------------------------------------------------------------------------------------------------------


def _make_open(original):
    """open() that notes paths opened for reading while a user cell runs; the file is hashed later, in _delta."""

    def open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):
        handle = original(file, mode, buffering, encoding, errors, newline, closefd, opener)
        if _state.recording and isinstance(mode, str) and not ("w" in mode or "a" in mode or "x" in mode or "+" in mode):
            _note_file_read(file)
        return handle

    open.__runtrail_wrapper__ = True
    open.__runtrail_original__ = original
    open.__doc__ = original.__doc__
    return open


def _wrap_open():
    """Wraps builtins.open and io.open (pathlib, pandas, numpy use them) and the `open` IPython puts in the user
    namespace (its own wrapper of io.open)."""
    if not getattr(builtins.open, "__runtrail_wrapper__", False):
        builtins.open = io.open = _make_open(builtins.open)
    _wrap_namespace_open()


def _wrap_namespace_open():
    shell = _get_shell()
    namespace = getattr(shell, "user_ns", None)
    if not isinstance(namespace, dict):
        return
    current = namespace.get("open")
    if current is None or getattr(current, "__runtrail_wrapper__", False) or current is builtins.open:
        return
    wrapper = _make_open(current)
    namespace["open"] = wrapper
    hidden = getattr(shell, "user_ns_hidden", None)
    if isinstance(hidden, dict) and hidden.get("open") is current:
        hidden["open"] = wrapper


def _unwrap_open():
    for holder in (builtins, io):
        current = holder.open
        if getattr(current, "__runtrail_wrapper__", False) and _is_own_open(current):
            holder.open = current.__runtrail_original__
    shell = _get_shell()
    namespace = getattr(shell, "user_ns", None)
    if isinstance(namespace, dict):
        current = namespace.get("open")
        if getattr(current, "__runtrail_wrapper__", False) and _is_own_open(current):
            namespace["open"] = current.__runtrail_original__
            hidden = getattr(shell, "user_ns_hidden", None)
            if isinstance(hidden, dict) and hidden.get("open") is current:
                hidden["open"] = current.__runtrail_original__


def _is_own_open(wrapper):
    return getattr(wrapper, "__globals__", None) is globals()


def _original_open():
    current = builtins.open
    while getattr(current, "__runtrail_wrapper__", False):
        current = current.__runtrail_original__
    return current


def _note_file_read(file):
    try:
        if isinstance(file, int):
            return
        path = os.fspath(file)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        files = _state.files_read
        if len(files) < _MAX_FILES_PER_DELTA:
            files[os.path.abspath(path)] = None
    except Exception:
        pass


# --------------------------------------------------------------------------------------------------------------
# Public API (user code: `import runtrail; runtrail.log_metric(...)`)
# --------------------------------------------------------------------------------------------------------------


def _check_key(kind, key):
    if not isinstance(key, str):
        raise ValueError("runtrail: %s key must be a string, got %s" % (kind, type(key).__name__))
    if not key or len(key) > _MAX_KEY or not _KEY_RE.match(key):
        raise ValueError(
            "runtrail: invalid %s key %r: use 1-%d characters of letters, digits, '_', '-', '.', ' ', '/' and ':'"
            % (kind, key[:300], _MAX_KEY)
        )


def _now_ms():
    return int(time.time() * 1000)


def log_metric(key, value, step=None, timestamp=None):
    """Logs one point of a metric series; `step` counts up per key when omitted, `timestamp` is ms since epoch.

    Example: `for epoch in range(10): runtrail.log_metric("loss", loss)`
    """
    _check_key("metric", key)
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        raise ValueError("runtrail: metric %r value must be a number, got %s" % (key, type(value).__name__))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("runtrail: metric %r value must be a number, got %s" % (key, type(value).__name__)) from None
    st = _state
    if step is None:
        last = st.metric_steps.get(key)
        step = 0 if last is None else last + 1
    else:
        if isinstance(step, bool) or not isinstance(step, int) and not _is_integral(step):
            raise ValueError("runtrail: metric %r step must be an integer, got %r" % (key, step))
        step = int(step)
        if step < 0 or step > 2**53 - 1:
            raise ValueError("runtrail: metric %r step must be between 0 and 2**53-1, got %d" % (key, step))
    if timestamp is None:
        timestamp = _now_ms()
    else:
        if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)) or timestamp < 0:
            raise ValueError("runtrail: metric %r timestamp must be milliseconds since the epoch" % (key,))
        timestamp = int(timestamp)
    st.metric_steps[key] = step
    if len(st.metrics) >= _MAX_PENDING_METRICS:
        st.dropped_metrics += 1
        return
    st.metrics.append((key, number, step, timestamp))


def _is_integral(value):
    try:
        return int(value) == value and not isinstance(value, float)
    except Exception:
        return False


def log_param(key, value):
    """Records a run parameter (origin `explicit`); non-JSON values are stored as their str(), like MLflow."""
    _check_key("param", key)
    value = _to_json_value(value)
    text = json.dumps(value, allow_nan=False)
    if len(text) > _MAX_PARAM_JSON:
        raise ValueError("runtrail: param %r value is %d characters as JSON; at most %d" % (key, len(text), _MAX_PARAM_JSON))
    _state.explicit_params[key] = value


def set_tag(key, value):
    """Sets a string tag on the current run (last value wins)."""
    _check_key("tag", key)
    value = value if isinstance(value, str) else str(value)
    if len(value) > _MAX_TAG_VALUE:
        raise ValueError("runtrail: tag %r value is %d characters; at most %d" % (key, len(value), _MAX_TAG_VALUE))
    _state.tags[key] = value


def log_artifact(path):
    """Records a file as an artifact of the run (sha256 + size) and uploads it to the backend in the background.

    Returns {"path", "size", "sha256"}. The path is reported relative to the kernel's working folder (the file
    name when it lies outside).
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise ValueError("runtrail: log_artifact needs a file path, got %s" % type(path).__name__)
    full = os.path.abspath(os.fsdecode(os.fspath(path)))
    if not os.path.isfile(full):
        raise ValueError("runtrail: log_artifact: %r is not a file" % (os.fsdecode(os.fspath(path)),))
    digest = hashlib.sha256()
    size = 0
    with _original_open()(full, "rb") as handle:
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
    rel = os.path.relpath(full, os.getcwd())
    if rel.startswith(".."):
        rel = os.path.basename(full)
    record = {"path": rel.replace(os.sep, "/"), "size": size, "sha256": digest.hexdigest()}
    _state.artifacts.append(record)
    config = _state.config
    if config.get("backendUrl") and config.get("token"):
        _enqueue_upload(full, record, config["backendUrl"], config["token"])
    return dict(record)


def fingerprint(obj, max_bytes=None):
    """The content fingerprint runtrail records for a data object (DataFrame, Series, ndarray, Table)."""
    info = _fingerprint(obj, _data_kind(obj), max_bytes or sys.maxsize)
    return info["fingerprint"]


def _to_json_value(value, depth=0):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth < 20 and isinstance(value, (list, tuple)):
        return [_to_json_value(v, depth + 1) for v in value]
    if depth < 20 and isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _to_json_value(v, depth + 1) for k, v in value.items()}
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        try:
            return _to_json_value(item(), depth + 1)
        except Exception:
            pass
    return str(value)


# --------------------------------------------------------------------------------------------------------------
# Artifact uploads (one background thread, retried with backoff)
# --------------------------------------------------------------------------------------------------------------


def _enqueue_upload(path, record, url, token):
    import queue

    st = _state
    if st.uploads is None or not st.uploads[1].is_alive():
        jobs = queue.Queue()
        worker = threading.Thread(target=_upload_worker, args=(jobs,), name="runtrail-upload", daemon=True)
        worker.start()
        st.uploads = (jobs, worker)
    st.uploads[0].put((path, dict(record), url, token))


def _upload_worker(jobs):
    while True:
        job = jobs.get()
        try:
            _upload(*job)
        except Exception as exc:
            _warn("artifact upload failed: %r" % (exc,))
        finally:
            jobs.task_done()


def _upload(path, record, url, token):
    import urllib.error
    import urllib.request

    target = "%s/api/v1/blobs/%s" % (url, record["sha256"])
    delay = _UPLOAD_BACKOFF_S
    last = None
    for attempt in range(_UPLOAD_ATTEMPTS):
        try:
            with _original_open()(path, "rb") as body:
                request = urllib.request.Request(
                    target,
                    data=body,
                    method="PUT",
                    headers={
                        "Authorization": "Bearer " + token,
                        "Content-Type": "application/octet-stream",
                        "Content-Length": str(record["size"]),
                    },
                )
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                    return
        except urllib.error.HTTPError as exc:
            last = "HTTP %d" % exc.code
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                break
        except Exception as exc:
            last = repr(exc)
        if attempt + 1 < _UPLOAD_ATTEMPTS:
            time.sleep(delay)
            delay *= 2
    _warn("artifact %s was not uploaded (%s); its record is kept" % (record["path"], last))


# --------------------------------------------------------------------------------------------------------------
# Cell analysis: params, names written, names referenced, literal file paths
# --------------------------------------------------------------------------------------------------------------

_MAGIC_ASSIGN = re.compile(r"^(\s*[\w.\[\], ]+?\s*=\s*)[%!].*$")


def _strip_magics(source):
    """Makes IPython syntax parseable without IPython: magic and shell lines become `pass` (or a call)."""
    lines = source.split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%"):
        return ""
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#")):
            out.append(indent + "pass")
            continue
        match = _MAGIC_ASSIGN.match(line)
        if match:
            out.append(match.group(1) + "__runtrail_magic__()")
            continue
        out.append(line)
    return "\n".join(out)


def _parse_cell(source):
    parsed = _parsed
    if parsed[0] is not None and (parsed[0] is source or parsed[0] == source):
        tree = parsed[1]
        parsed[0] = parsed[1] = None
        return tree
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        pass
    shell = _get_shell()
    transformed = None
    try:
        if shell is not None:
            transformed = shell.transform_cell(source)
        elif "IPython" in sys.modules:
            from IPython.core.inputtransformer2 import TransformerManager

            transformed = TransformerManager().transform_cell(source)
    except Exception:
        transformed = None
    for candidate in (transformed, _strip_magics(source)):
        if candidate is None:
            continue
        try:
            return ast.parse(candidate)
        except (SyntaxError, ValueError):
            continue
    return None


class _Removed:
    """Marks a name whose latest binding in a cell is not a literal."""


# What ast.literal_eval can accept at the root of an expression; anything else (a call, a name, an attribute: most
# assignments) is rejected before walking its tree.
_LITERAL_ROOTS = frozenset((ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp, ast.Call))


def _literal_value(node):
    """JSON value of a literal expression node (small), else _Removed."""
    if type(node) not in _LITERAL_ROOTS:
        return _Removed
    count = 0
    for _ in ast.walk(node):
        count += 1
        if count > _MAX_PARAM_NODES:
            return _Removed
    try:
        value = ast.literal_eval(node)
    except Exception:
        return _Removed
    converted = _literal_to_json(value, 0)
    if converted is _Removed:
        return _Removed
    try:
        if len(json.dumps(converted, allow_nan=False)) > _MAX_PARAM_JSON:
            return _Removed
    except ValueError:
        return _Removed
    return converted


def _literal_to_json(value, depth):
    if depth > 10:
        return _Removed
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _Removed
    if isinstance(value, (list, tuple)):
        items = [_literal_to_json(v, depth + 1) for v in value]
        return _Removed if any(v is _Removed for v in items) else items
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return _Removed
        items = {k: _literal_to_json(v, depth + 1) for k, v in value.items()}
        return _Removed if any(v is _Removed for v in items.values()) else items
    return _Removed


_AUG_OPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}


def _bind_targets(target, value_node, params, written):
    """Records the binding of `target` (to the literal `value_node`, if any) in params and written."""
    if isinstance(target, ast.Name):
        written.append(target.id)
        params[target.id] = _literal_value(value_node) if value_node is not None else _Removed
    elif isinstance(target, (ast.Tuple, ast.List)):
        elements = target.elts
        values = None
        if isinstance(value_node, (ast.Tuple, ast.List)) and len(value_node.elts) == len(elements):
            if not any(isinstance(e, ast.Starred) for e in elements + value_node.elts):
                values = value_node.elts
        for i, element in enumerate(elements):
            _bind_targets(element.value if isinstance(element, ast.Starred) else element,
                          values[i] if values is not None else None, params, written)


_NO_CHILD_FIELDS = frozenset(("ctx", "id", "attr", "arg", "name", "names", "module", "level", "kind", "type_comment",
                              "conversion", "is_async"))
_LEAF_NODES = (ast.Constant, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.alias)
_child_fields = {}


def _walk(tree):
    """The nodes of `tree` in ast.walk's order (breadth first, fields in order), as a list, without the nodes no
    analysis looks at (expression contexts, aliases); three times faster than ast.walk, and the analysis runs after
    every cell."""
    nodes = [tree]
    append = nodes.append
    fields_of = _child_fields
    node_type = ast.AST
    i = 0
    while i < len(nodes):
        node = nodes[i]
        i += 1
        cls = type(node)
        fields = fields_of.get(cls)
        if fields is None:
            fields = () if issubclass(cls, _LEAF_NODES) else tuple(f for f in cls._fields if f not in _NO_CHILD_FIELDS)
            fields_of[cls] = fields
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, node_type):
                        append(item)
            elif isinstance(value, node_type):
                append(value)
    return nodes


def _bound_names(node, out):
    """Names bound at module scope by a statement (recursing into compound statements, not into scopes)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        out.append(node.name)
        return
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            if alias.name != "*":
                out.append((alias.asname or alias.name).split(".")[0])
        return
    if isinstance(node, ast.Lambda) or isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        out.append(node.id)
        return
    if isinstance(node, ast.NamedExpr):
        _bound_names(node.target, out)
    if isinstance(node, ast.ExceptHandler):
        for child in node.body:
            _bound_names(child, out)
        return
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Attribute, ast.Subscript)):
            continue
        _bound_names(child, out)


_analysis_cache = {}
_ANALYSIS_CACHE_SIZE = 2048
_ANALYSIS_CACHE_SOURCE = 100_000


def _analyze_cell(source, known_functions=None):
    """Params (name -> JSON value), names written, referenced, referenced as whole objects (not only to read an
    attribute or item: `f(df)`, `x = df`, `df` as the cell's value) and possibly mutated, functions defined (with
    the globals they mutate) and literal file paths of one cell. Callers must not change what it returns.

    The analysis of a source text is cached (cells are run again and again): everything in it depends on the text
    alone except what calls of functions defined by earlier cells mutate, which is added from `known_functions`
    on every call."""
    cached = _analysis_cache.get(source)
    if cached is None:
        cached = _analyze_source(source)
        if len(source) <= _ANALYSIS_CACHE_SOURCE:
            if len(_analysis_cache) >= _ANALYSIS_CACHE_SIZE:
                _analysis_cache.clear()
            _analysis_cache[source] = cached
    result, calls = cached
    if known_functions and calls:
        extra = set()
        for name, bases in calls:
            if name in known_functions and name not in result["functions"]:
                extra.update(known_functions[name])
                extra.update(bases)
        if extra - result["mutated"]:
            result = dict(result, mutated=result["mutated"] | extra)
    return result


def _analyze_source(source):
    """(_analyze_cell's result without functions of earlier cells, [(called name, argument bases)] of the calls of
    plain names that may be such functions)."""
    tree = _parse_cell(source)
    result = {"params": {}, "written": [], "referenced": set(), "whole": set(), "mutated": set(), "functions": {},
              "paths": []}
    if tree is None:
        return result, []
    params = {}
    written = []
    nodes = _walk(tree)
    binds_in_expressions = any(type(node) is ast.NamedExpr for node in nodes)
    for stmt in tree.body:
        if type(stmt) is ast.Expr and not binds_in_expressions:
            continue  # `df.head()`: binds nothing
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                _bind_targets(target, stmt.value, params, written)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                _bind_targets(stmt.target, stmt.value, params, written)
        elif isinstance(stmt, ast.AugAssign):
            if isinstance(stmt.target, ast.Name):
                name = stmt.target.id
                written.append(name)
                current = params.get(name)
                operand = _literal_value(stmt.value)
                op = _AUG_OPS.get(type(stmt.op))
                if current is None or current is _Removed or operand is _Removed or op is None:
                    if name in params:
                        params[name] = _Removed
                    continue
                try:
                    combined = _literal_to_json(op(current, operand), 0)
                    if isinstance(combined, bool) or combined is _Removed:
                        combined = _Removed
                    params[name] = combined
                except Exception:
                    params[name] = _Removed
        else:
            names = []
            _bound_names(stmt, names)
            for name in names:
                written.append(name)
                if name in params:
                    params[name] = _Removed
    result["params"] = {k: v for k, v in params.items() if v is not _Removed and k != "_" and _KEY_RE.match(k)}
    seen = set()
    result["written"] = [n for n in written if not (n in seen or seen.add(n))]
    # One walk over the tree (the analysis runs after every cell): names, calls and the nodes that can mutate.
    referenced, whole = result["referenced"], result["whole"]
    receivers = set()  # ids of Name nodes that are the object of an attribute or subscript (walked parents first)
    calls = []
    mutating = []
    for node in nodes:
        kind = type(node)
        if kind is ast.Name:
            referenced.add(node.id)
            if id(node) not in receivers:
                whole.add(node.id)
        elif kind is ast.Attribute or kind is ast.Subscript:
            if type(node.value) is ast.Name:
                receivers.add(id(node.value))
        elif kind is ast.Call:
            calls.append(node)
            path = _literal_path_argument(node)
            if path:
                result["paths"].append(path)
        elif kind in _MUTATING_NODES:
            mutating.append(node)
        elif kind is ast.Global or kind is ast.Nonlocal:
            referenced.update(node.names)
            whole.update(node.names)
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            result["functions"][node.name] = _function_mutations(node)
    result["mutated"] = _mutations(mutating, calls, result["functions"], None)
    name_calls = []
    for call in calls:
        if isinstance(call.func, ast.Name) and call.func.id not in result["functions"]:
            bases = (_chain_base(a) for a in list(call.args) + [kw.value for kw in call.keywords])
            name_calls.append((call.func.id, frozenset(b for b in bases if b)))
    return result, name_calls


# Methods that change their receiver in place (numpy, pandas, polars, Python containers); any call with an
# `inplace=` / `in_place=` / `out=` keyword counts too.
_MUTATING_METHODS = frozenset(
    "sort fill resize put partition itemset setfield setflags byteswap update insert pop append extend clear "
    "remove add discard setdefault popitem reverse insert_column replace_column drop_in_place scatter set "
    "set_at_idx __setitem__ __delitem__ __iadd__ __isub__ __imul__ __itruediv__".split()
)
# Functions that change their first argument in place.
_MUTATING_FUNCTIONS = frozenset("shuffle copyto put place putmask fill_diagonal put_along_axis at".split())
_MUTATING_KEYWORDS = frozenset(("inplace", "in_place", "out"))


def _chain_base(node):
    """`df` for df, df.loc[3], df.a.b, df.head().x, else None."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call, ast.Starred)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _target_bases(target, out, rebinding_mutates):
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _target_bases(element, out, rebinding_mutates)
    elif isinstance(target, ast.Starred):
        _target_bases(target.value, out, rebinding_mutates)
    elif isinstance(target, (ast.Attribute, ast.Subscript)):
        base = _chain_base(target)
        if base:
            out.add(base)
    elif isinstance(target, ast.Name) and rebinding_mutates:
        out.add(target.id)


def _mutated_names(statements, functions, known_functions=None):
    """Names a piece of code may change in place: bases of subscript/attribute targets (`df.loc[3, "a"] = 0`),
    augmented targets (`arr += 1`), receivers of mutating methods (`df.fillna(0, inplace=True)`, `arr.sort()`),
    first arguments of mutating functions (`rng.shuffle(arr)`), `out=` arguments, and arguments of functions
    the notebook defined (plus the globals those functions change)."""
    nodes = [node for statement in statements for node in ast.walk(statement)]
    calls = [node for node in nodes if type(node) is ast.Call]
    return _mutations([node for node in nodes if type(node) in _MUTATING_NODES], calls, functions, known_functions)


_MUTATING_NODES = frozenset((ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.For, ast.AsyncFor, ast.withitem))


def _mutations(nodes, calls, functions, known_functions):
    """_mutated_names over nodes already collected: assignment-like nodes and calls."""
    mutated = set()
    known = dict(known_functions or {})
    known.update(functions)
    for node in nodes:
        kind = type(node)
        if kind is ast.Assign or kind is ast.Delete:
            for target in node.targets:
                _target_bases(target, mutated, False)
        elif kind is ast.AugAssign or kind is ast.AnnAssign:
            _target_bases(node.target, mutated, kind is ast.AugAssign)
        else:
            target = node.optional_vars if kind is ast.withitem else node.target
            if target is not None:
                _target_bases(target, mutated, False)
    for call in calls:
        _call_mutations(call, mutated, known)
    return mutated


def _call_mutations(call, mutated, known):
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    keywords = {kw.arg for kw in call.keywords}
    if isinstance(func, ast.Attribute) and (name in _MUTATING_METHODS or keywords & _MUTATING_KEYWORDS):
        base = _chain_base(func.value)
        if base:
            mutated.add(base)
    for kw in call.keywords:
        if kw.arg == "out":
            _target_bases(kw.value, mutated, True)
    if name in _MUTATING_FUNCTIONS and call.args:
        base = _chain_base(call.args[0])
        if base:
            mutated.add(base)
    if isinstance(func, ast.Name) and func.id in known:
        mutated.update(known[func.id])
        for argument in list(call.args) + [kw.value for kw in call.keywords]:
            base = _chain_base(argument)
            if base:
                mutated.add(base)


def _function_mutations(function):
    """Global names a function defined in the notebook changes in place (its own locals excluded)."""
    arguments = function.args
    local = {a.arg for a in arguments.args + arguments.posonlyargs + arguments.kwonlyargs}
    local.update(a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None)
    declared_global = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Global):
            declared_global.update(node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
    return frozenset(n for n in _mutated_names(function.body, {}) if n not in local or n in declared_global)


def _literal_path_argument(call):
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name not in _READERS:
        return None
    candidates = list(call.args[:1]) + [kw.value for kw in call.keywords if kw.arg in _PATH_KWARGS]
    for node in candidates:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and 0 < len(node.value) < 4096:
            return node.value
    return None


# --------------------------------------------------------------------------------------------------------------
# The delta
# --------------------------------------------------------------------------------------------------------------


def _delta(request_json):
    """Answers a DeltaRequest (JSON string) with IPython.display.JSON(KernelDelta); never raises."""
    delta = _delta_data(request_json)
    if sys.modules.get("IPython") is not None:
        return _display_of(delta)
    return delta


def _delta_data(request_json):
    """The KernelDelta for a DeltaRequest (JSON string); a failure becomes an empty delta with a warning."""
    try:
        return _collect_delta(request_json)
    except Exception as exc:
        _state.seq += 1
        return _empty_delta(_state.seq, ["runtrail helper failed: %r" % (exc,)])


def _delta_mimebundle(delta):
    """How the delta is formatted: application/json, and a fixed text/plain so IPython does not pretty-print it."""
    return {"application/json": delta, "text/plain": "<runtrail delta %d>" % delta.get("seq", 0)}


def _display_of(delta):
    """The delta as the value of the user expression, when the expression is evaluated rather than answered by the
    user_expressions wrapper (a shell without it, a direct `_delta` call). IPython formats that value with every
    registered display formatter (ten MIME types, each a type lookup through traitlets: 0.1 ms per cell in a kernel
    whose caches the cell has just flushed); the shell's `display_formatter.format` is wrapped so that it answers
    for one long-lived display object directly and hands everything else to the original. The object is kept on
    `sys` (never freed, so a re-injected copy of the helper finds it)."""
    display = getattr(sys, "_runtrail_display", None)
    if display is None or not hasattr(display, "data"):
        display = _DeltaDisplay(None)
        sys._runtrail_display = display
    display.data = delta
    shell = _get_shell()
    try:
        if shell is not None:
            _wrap_format(shell.display_formatter, display)
    except Exception:
        return _DeltaDisplay(delta)
    return display


def _wrap_format(formatter, display):
    """Wraps `formatter.format` (once) so that formatting `display` costs one identity check."""

    def wrap(original):
        def format(obj, include=None, exclude=None):
            if obj is display and include is None and exclude is None:
                return display._repr_mimebundle_(), {}
            return original(obj, include=include, exclude=exclude)

        return format

    _wrap_attribute(formatter, "format", wrap)


_DELTA_EXPRESSION_PREFIX = "__import__('runtrail')._delta("  # core/capture/delta.ts deltaExpression


def _wrap_user_expressions(shell):
    """Wraps the shell's `user_expressions` (once) so that the delta expression, the same text after every cell,
    is answered directly: its request is read from the text once, and the delta goes into the reply as IPython
    would format it, without evaluating the text, importing, or going through the display formatter (IPython
    compiles each expression text it evaluates, ~0.05 ms per cell in a kernel whose caches the cell has just
    flushed, and formatting costs as much again). Another copy of the helper registered as `runtrail`, or an
    expression of another form, is evaluated (compiled once). Other expressions go to the original, one at a time
    and in order. Not wrapped when the shell lacks the methods IPython's own version uses."""
    if not (hasattr(shell, "_format_user_obj") and hasattr(shell, "_user_obj_error")):
        return
    compiled = {}
    requests = {}

    def request_of(expr):
        """The DeltaRequest text of `__import__('runtrail')._delta(<string literal>)`, else None."""
        request = requests.get(expr, False)
        if request is False:
            request = None
            if expr.endswith(")"):
                try:
                    value = ast.literal_eval(expr[len(_DELTA_EXPRESSION_PREFIX):-1])
                    request = value if isinstance(value, str) else None
                except Exception:
                    pass
            if len(requests) >= 16:
                requests.clear()
            requests[expr] = request
        return request

    def wrap(original):
        def user_expressions(expressions):
            out = {}
            for key, expr in expressions.items():
                if not (isinstance(expr, str) and expr.startswith(_DELTA_EXPRESSION_PREFIX)):
                    out.update(original({key: expr}))
                    continue
                request = request_of(expr)
                if request is not None and getattr(sys.modules.get("runtrail"), "_delta", None) is _delta:
                    try:
                        out[key] = {"status": "ok", "data": _delta_mimebundle(_delta_data(request)), "metadata": {}}
                    except BaseException:  # as IPython's own version
                        out[key] = shell._user_obj_error()
                    continue
                try:
                    code = compiled.get(expr)
                    if code is None:
                        code = compile(expr, "<string>", "eval")
                        if len(compiled) >= 16:
                            compiled.clear()
                        compiled[expr] = code
                    out[key] = shell._format_user_obj(eval(code, shell.user_global_ns, shell.user_ns))
                except BaseException:  # as IPython's own version: any failure is the expression's error value
                    out[key] = shell._user_obj_error()
            return out

        return user_expressions

    _wrap_attribute(shell, "user_expressions", wrap)


_parsed = [None, None]  # [source, tree] of the cell IPython parsed last, until its analysis takes the tree


def _wrap_ast_parse(shell):
    """Wraps the shell's compiler `ast_parse` (once) so that the tree IPython parses to run a cell is kept for that
    cell's analysis, which would otherwise parse the same text again: the largest part of analysing a new cell
    (~0.1 ms with the caches the cell has just flushed). Kept only when no AST transformer is registered (they may
    change the tree in place before it runs)."""
    compiler = getattr(shell, "compile", None)
    if compiler is None or not callable(getattr(compiler, "ast_parse", None)):
        return

    def wrap(original):
        def ast_parse(source, *args, **kwargs):
            tree = original(source, *args, **kwargs)
            if type(tree) is ast.Module and isinstance(source, str) and not shell.ast_transformers:
                _parsed[0] = source
                _parsed[1] = tree
            return tree

        return ast_parse

    _wrap_attribute(compiler, "ast_parse", wrap)


def _wrap_attribute(owner, name, wrap):
    """Sets `owner.name` to `wrap(current)` as an instance attribute, unless this helper already wrapped it."""
    current = owner.__dict__.get(name)
    if hasattr(current, "_runtrail_replaced"):
        return
    wrapper = wrap(current if current is not None else getattr(owner, name))
    wrapper._runtrail_replaced = current  # what the instance had before (None: the class's method)
    setattr(owner, name, wrapper)


def _unwrap_attribute(owner, name):
    """Undoes _wrap_attribute, unless something else wrapped the attribute after us."""
    current = owner.__dict__.get(name)
    if not hasattr(current, "_runtrail_replaced"):
        return
    if current._runtrail_replaced is None:
        delattr(owner, name)
    else:
        setattr(owner, name, current._runtrail_replaced)


class _DeltaDisplay:
    """What `_delta` evaluates to in IPython: the delta as `application/json` (what IPython.display.JSON gives),
    with a fixed text/plain so IPython does not pretty-print the whole delta after every cell."""

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    def _repr_mimebundle_(self, include=None, exclude=None):
        return _delta_mimebundle(self.data)


def _empty_delta(seq, warnings):
    return {
        "v": 1, "seq": seq, "cells": [], "explicitParams": [], "metrics": [], "tags": [], "snapshots": [],
        "columnStats": [], "superseded": [], "pending": 0, "artifacts": [], "environment": None, "warnings": warnings,
    }


_request_cache = {}


def _parse_request(request, warnings):
    """The DeltaRequest as a dict of defaults-filled fields (the frontend sends the same text every time: cached)."""
    if isinstance(request, str) and request in _request_cache:
        return _request_cache[request]
    text = request
    parsed = _parse_request_uncached(request, warnings)
    if isinstance(text, str) and not warnings and len(_request_cache) < 16:
        _request_cache[text] = parsed
    return parsed


def _parse_request_uncached(request, warnings):
    if isinstance(request, (str, bytes)):
        try:
            request = json.loads(request)
        except ValueError:
            warnings.append("delta request is not JSON; defaults used")
            request = {}
    if not isinstance(request, dict):
        request = {}
    if request.get("v", 1) != 1:
        warnings.append("delta request version %r is not 1; answered as version 1" % (request.get("v"),))
    max_bytes = request.get("snapshotMaxBytes")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        max_bytes = _DEFAULT_MAX_BYTES
    return {
        "environment": request.get("environment") is True,
        "snapshotMaxBytes": max_bytes,
        "notebookDir": request.get("notebookDir") if isinstance(request.get("notebookDir"), str) else "",
    }


def _collect_delta(request_json):
    st = _state
    warnings = []
    req = _parse_request(request_json, warnings)
    cells, st.cells = st.cells, []
    namespace = _user_namespace()

    records = []
    referenced = set()
    whole = set()
    mutated = set()
    literal_paths = []
    for cell in cells:
        record = {"executionCount": cell["executionCount"], "params": [], "namesWritten": []}
        records.append(record)
        try:
            analysis = _analyze_cell(cell["source"], st.functions)
        except Exception as exc:
            warnings.append("cannot analyse a cell: %r" % (exc,))
            continue
        for name, value in analysis["params"].items():
            if cell.get("success") is False and not _namespace_holds(namespace, name, value):
                continue
            key, value = _redact_param(name, value)
            record["params"].append({"key": key, "value": value, "origin": "literal-assignment"})
        record["namesWritten"] = analysis["written"][:_MAX_NAMES]
        referenced |= analysis["referenced"]
        whole |= analysis["whole"]
        st.functions.update(analysis["functions"])
        mutated |= analysis["mutated"]
        literal_paths.extend(analysis["paths"])

    snapshots = []
    try:
        last_count = records[-1]["executionCount"] if records else None
        written = {n for record in records for n in record["namesWritten"]}
        snapshots.extend(_scan_namespace(namespace, referenced, whole, mutated, req["snapshotMaxBytes"], warnings,
                                         last_count, written))
    except Exception as exc:
        warnings.append("namespace scan failed: %r" % (exc,))
    column_stats, superseded = [], []
    if st.stats_done or st.superseded:  # (one that lands just after this check comes with the next delta)
        column_stats, late_snapshots, superseded = _finished_background(warnings)
        snapshots.extend(late_snapshots)
    files = st.files_read
    if files or literal_paths:
        st.files_read = {}
        try:
            snapshots.extend(_file_snapshots(list(files) + literal_paths, req, warnings, last_count))
        except Exception as exc:
            warnings.append("file snapshots failed: %r" % (exc,))

    environment = None
    if req["environment"]:
        try:
            environment = _environment(_notebook_dir(req["notebookDir"]))
        except Exception as exc:
            warnings.append("environment capture failed: %r" % (exc,))

    with st.lock:
        metrics, st.metrics = st.metrics, []
        dropped, st.dropped_metrics = st.dropped_metrics, 0
        explicit, st.explicit_params = st.explicit_params, {}
        tags, st.tags = st.tags, {}
        artifacts, st.artifacts = st.artifacts, []
        queued, st.warnings = st.warnings, []
        # After the file snapshots, which can queue work too; results finished but not taken by this delta count,
        # so that the frontend asks again for them.
        pending = _pending_work(st) + len(st.stats_done)
        st.seq += 1
        seq = st.seq
    if dropped:
        warnings.append("%d metric points were dropped (more than %d between two deltas)" % (dropped, _MAX_PENDING_METRICS))
    return {
        "v": 1,
        "seq": seq,
        "cells": records,
        "explicitParams": [{"key": k, "value": v, "origin": "explicit"}
                           for k, v in map(_redact_param, explicit, explicit.values())] if explicit else [],
        "metrics": [{"key": k, "value": _metric_value(v), "step": s, "timestamp": t} for k, v, s, t in metrics]
        if metrics else [],
        "tags": [{"key": k, "value": _redact_text(v)} for k, v in tags.items()] if tags else [],
        "snapshots": snapshots,
        "columnStats": column_stats,
        "superseded": superseded,
        "pending": pending,
        "artifacts": artifacts,
        "environment": environment,
        "warnings": queued + warnings,
    }


def _metric_value(value):
    if math.isfinite(value):
        return value
    return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")


def _namespace_holds(namespace, name, value):
    try:
        current = namespace.get(name, _Removed)
        return _literal_to_json(current, 0) == value and type(current) in (type(value), tuple)
    except Exception:
        return False


def _notebook_dir(notebook_dir):
    """The notebook's folder: an absolute notebookDir, else the kernel's start folder (Jupyter starts kernels
    in the notebook's folder; a relative notebookDir is relative to the server root, not to the kernel)."""
    if notebook_dir and os.path.isabs(notebook_dir) and os.path.isdir(notebook_dir):
        return os.path.realpath(notebook_dir)
    return os.path.realpath(_state.start_dir)


# --------------------------------------------------------------------------------------------------------------
# Namespace scan and change detection
# --------------------------------------------------------------------------------------------------------------


_data_types_seen = [None, None]  # [the modules they were found in, the pairs]


def _data_types():
    """(kind, class) pairs of the data libraries the user has imported (never imports one itself); looked up again
    only when one of those modules appears or changes."""
    modules = sys.modules
    key = (modules.get("pandas"), modules.get("polars"), modules.get("pyarrow"), modules.get("numpy"))
    seen = _data_types_seen
    if seen[0] != key:
        found = _find_data_types(*key)
        if len({kind for kind, _ in found}) < sum(module is not None for module in key):
            return found  # a module without its classes (still being imported): not remembered
        seen[1] = found
        seen[0] = key
    return seen[1]


def _find_data_types(pd, pl, pa, np):
    found = []
    if pd is not None:
        for cls in (getattr(pd, "DataFrame", None), getattr(pd, "Series", None)):
            if isinstance(cls, type):
                found.append(("pandas", cls))
    if pl is not None:
        for cls in (getattr(pl, "DataFrame", None), getattr(pl, "Series", None)):
            if isinstance(cls, type):
                found.append(("polars", cls))
    if pa is not None:
        for cls in (getattr(pa, "Table", None), getattr(pa, "RecordBatch", None)):
            if isinstance(cls, type):
                found.append(("arrow", cls))
    if np is not None and isinstance(getattr(np, "ndarray", None), type):
        found.append(("numpy", np.ndarray))
    return found


def _data_kind(obj, types_=None):
    for kind, cls in types_ if types_ is not None else _data_types():
        if isinstance(obj, cls):
            return kind
    return None


def _snapshot_record(name, kind, info):
    return {
        "name": name,
        "kind": kind,
        "fingerprint": info["fingerprint"],
        "sampled": info["sampled"],
        "shape": info["shape"],
        "columns": [],
    }


def _scan_namespace(namespace, referenced, whole, mutated, max_bytes, warnings, execution_count=None, written=()):
    st = _state
    cache = st.snap_cache
    types_ = _data_types()
    if not types_:
        cache.clear()
        return []
    type_kinds = st.type_kinds
    if type_kinds.get("pairs") is not types_:  # the data types changed (a library imported): start again
        classes = tuple(cls for _, cls in types_)
        type_kinds = st.type_kinds = {None: classes, "pairs": types_}  # keys other than types: never an object's
        type_kinds.update((cls, kind) for kind, cls in types_)
    classes = type_kinds[None]
    snapshots = []
    present = set()
    # Rule 2 (a cheap version that changed) catches changes made without the object's name: every delta checks
    # the objects the cells mentioned, and every _FULL_CHECK_EVERY-th delta (at least every _FULL_CHECK_S) all.
    candidates = set(referenced)
    candidates.update(mutated)
    candidates.update(written)
    now = time.monotonic()
    st.scans += 1
    full = st.scans % _FULL_CHECK_EVERY == 1 or now - st.full_check_at >= _FULL_CHECK_S
    if full:
        st.full_check_at = now
    if full:
        items = list(namespace.items())
    else:
        # Only the names the cells mentioned or bound: the namespace grows with every cell (IPython's _iN).
        items = [(n, namespace[n]) for n in candidates if n in namespace]
    for name, obj in items:
        kind = type_kinds.get(type(obj), _Removed)
        if kind is _Removed:
            kind = _data_kind(obj, types_) if isinstance(obj, classes) else None
            type_kinds[type(obj)] = kind
        if kind is None or name[:1] == "_" or name in _SKIP_NAMES:
            continue
        present.add(name)
        entry = cache.get(name)
        same = entry is not None and entry["oid"] == id(obj) and (entry["ref"] is None or entry["ref"]() is obj)
        if same and not full and name not in mutated and (
                name not in referenced
                or (name not in whole and entry["nbytes"] > _REFERENCED_REHASH_BYTES)):
            # Bound again to the same object, or a large object whose attributes or items the cells only read
            # (`df.groupby(...)`, `df["a"]`): no version probe; the periodic full check looks anyway.
            continue
        if same:
            cheap = _cheap_or_none(obj, kind, max_bytes)
            if cheap is not None and cheap == entry["cheap"] and name not in mutated:
                if name not in referenced or entry["nbytes"] > _REFERENCED_REHASH_BYTES:
                    continue
        try:
            ref = weakref.ref(obj)
        except TypeError:
            ref = None
        reported = entry["reported"] if entry is not None else None
        nbytes = _estimated_nbytes(obj, kind)
        if not same:
            # A new object: under a burst, a small one is handed over frozen, and its baseline for later change
            # detection is left to the background thread too (_settle_baseline); else it is taken now.
            lazy = st.in_burst and ref is not None and nbytes is not None and nbytes <= _DEFER_BYTES
            cheap = _BASELINE_PENDING if lazy else _cheap_or_none(obj, kind, max_bytes)
        if _defer_snapshot(cache, name, obj, kind, nbytes, max_bytes, cheap, ref, entry, execution_count):
            continue
        if _hand_over(cache, name, obj, kind, nbytes, max_bytes, cheap, ref, entry, execution_count):
            continue
        if cheap is _BASELINE_PENDING:
            cheap = _cheap_or_none(obj, kind, max_bytes)
        _supersede(name, entry)
        try:
            info = _fingerprint(obj, kind, max_bytes)
        except Exception as exc:
            warnings.append("%s: cannot fingerprint %s (%r); skipped" % (name, type(obj).__name__, exc))
            cache[name] = {"oid": id(obj), "ref": ref, "cheap": cheap, "reported": reported, "nbytes": 0, "marker": None}
            continue
        warnings.extend("%s: %s" % (name, w) for w in info["warnings"])
        cache[name] = {"oid": id(obj), "ref": ref, "cheap": cheap, "reported": info["fingerprint"],
                       "nbytes": info["nbytes"], "marker": None}
        if info["fingerprint"] == reported:
            continue
        snapshot = _snapshot_record(name, kind, info)
        _attach_stats(snapshot, obj, kind, info, warnings, name)
        snapshots.append(snapshot)
    for name in [n for n in (cache if full else candidates) if n in cache and n not in present]:
        _supersede(name, cache.pop(name))
    return snapshots


def _array_probe(np, arr):
    """Pointer, shape, strides, dtype and 16 sampled elements of an ndarray (in-process identity only; the pointer
    through `__array_interface__`, which numpy builds in C, not `ctypes`, which builds a Python helper object)."""
    size = arr.size
    if size:
        step = max(1, size // 16)
        sample = arr.reshape(-1)[: step * 16 : step] if arr.flags.c_contiguous else arr.flat[0:size:step][:16]
        sample = sample.tobytes()
    else:
        sample = b""
    return (arr.__array_interface__["data"][0], arr.shape, arr.strides, arr.dtype.str, sample)


class _BASELINE_PENDING:
    """The cheap version of a cache entry whose object was handed over frozen and whose baseline the background
    thread takes once idle: until then it compares unequal to any cheap version, so a check of the name treats the
    object as changed (a snapshot with the same fingerprint as the last one reported is dropped)."""


def _cheap_or_none(obj, kind, max_bytes):
    """_cheap_version, or None when it cannot be taken (the object then counts as changed at every check)."""
    try:
        return _cheap_version(obj, kind, max_bytes)
    except Exception:
        return None


def _cheap_version(obj, kind, max_bytes):
    if kind == "numpy":
        return (max_bytes, _array_probe(sys.modules["numpy"], obj))
    if kind == "pandas":
        np = sys.modules["numpy"]
        parts = [max_bytes, id(obj.index), len(obj.index)]
        if getattr(type(obj), "columns", None) is not None:  # a DataFrame (a Series' own lookup scans its index)
            parts.append(id(obj.columns))
            blocks = obj._mgr.blocks
        else:
            parts.append(obj.name if isinstance(obj.name, (str, int, float, type(None))) else id(obj.name))
            blocks = obj._mgr.blocks
        for block in blocks:
            values = block.values
            parts.append(values.dtype)
            parts.append(id(getattr(block, "mgr_locs", None)))
            for array in _block_arrays(np, values):
                parts.append(_array_probe(np, array) if isinstance(array, np.ndarray) else id(array))
        return tuple(parts)
    if kind == "polars":
        return (max_bytes, obj.shape, tuple(getattr(obj, "columns", (obj.name,))), str(getattr(obj, "dtypes", obj.dtype)))
    return (max_bytes, obj.num_rows, obj.num_columns, id(obj.schema))


def _block_arrays(np, values):
    if isinstance(values, np.ndarray):
        return (values,)
    found = []
    for attr in ("_ndarray", "_data", "_mask", "_codes", "_pa_array"):
        part = getattr(values, attr, None)
        if part is not None:
            found.append(part)
    return found or (values,)


# --------------------------------------------------------------------------------------------------------------
# Fingerprints
# --------------------------------------------------------------------------------------------------------------

_hash_impl = None


def _hasher_factory():
    """(name, constructor) of the content hash: xxh3-128 when xxhash is importable, blake2b-128 otherwise."""
    global _hash_impl
    if _hash_impl is None:
        try:
            import xxhash

            _hash_impl = ("xxh128", xxhash.xxh3_128)
        except Exception:
            _hash_impl = ("b2b128", lambda: hashlib.blake2b(digest_size=16))
    return _hash_impl


def _u64(value):
    return struct.pack("<q", int(value))


def _blob(data):
    """Length-prefixed bytes, so that concatenations cannot collide."""
    return _u64(len(data)) + data


def _name_bytes(name):
    if isinstance(name, str):
        return b"s" + _blob(name.encode("utf-8", "surrogatepass"))
    return b"o" + _blob(_encode_object(name, [], 0))


def _row_ranges(rows, total_bytes, max_bytes):
    """None (hash everything) or ~64 evenly spaced row ranges totalling about max_bytes."""
    if total_bytes <= max_bytes or rows <= 1:
        return None
    budget = max(_SAMPLE_BLOCKS, int(rows * (max_bytes / float(total_bytes))))
    length = max(1, budget // _SAMPLE_BLOCKS)
    if length * _SAMPLE_BLOCKS >= rows:
        return None
    ranges = []
    for i in range(_SAMPLE_BLOCKS):
        start = (i * (rows - length)) // (_SAMPLE_BLOCKS - 1)
        if ranges and start < ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], start + length)
        else:
            ranges.append((start, start + length))
    return ranges


class _Digest:
    """Streaming digest of one column: value bytes, lengths (variable width), positions of nulls."""

    __slots__ = ("new", "data", "lens", "nullpos", "nulls", "fallback")

    def __init__(self, new):
        self.new = new
        self.data = new()
        self.lens = None
        self.nullpos = None
        self.nulls = 0
        self.fallback = None

    def add_lengths(self, raw):
        if self.lens is None:
            self.lens = self.new()
        self.lens.update(raw)

    def add_nulls(self, positions_bytes, count):
        if count:
            if self.nullpos is None:
                self.nullpos = self.new()
            self.nullpos.update(positions_bytes)
            self.nulls += count

    def finish(self, tag):
        top = self.new()
        top.update(_blob(tag))
        top.update(self.data.digest())
        top.update(self.lens.digest() if self.lens is not None else b"-")
        top.update(self.nullpos.digest() if self.nullpos is not None else b"-")
        return top.digest()


def _feed_fixed(np, digest, arr):
    """Raw bytes of a fixed-width ndarray in C order, without copying contiguous data."""
    if arr.size == 0:
        return
    if arr.flags.c_contiguous:
        digest.data.update(arr.reshape(-1).view(np.uint8))
        return
    rows = arr.shape[0]
    per_row = max(1, arr.size // max(rows, 1))
    step = max(1, _CHUNK_ELEMS // per_row)
    for start in range(0, rows, step):
        digest.data.update(np.ascontiguousarray(arr[start:start + step]).reshape(-1).view(np.uint8))


def _feed_masked(np, digest, data, mask, offset):
    if mask.any():
        positions = np.flatnonzero(mask)
        data = data.copy()
        data[mask] = 0
        digest.add_nulls((positions + offset).astype("<i8").tobytes(), len(positions))
    _feed_fixed(np, digest, data)


def _feed_objects(np, digest, values, offset, isna):
    """Python objects: utf-8 for strings (same stream as Arrow strings), a typed encoding for anything else."""
    lengths = []
    chunks = []
    nullpos = []
    notes = []
    for i, value in enumerate(values):
        if isna is not None:
            null = isna[i]
        else:
            null = value is None or (isinstance(value, float) and value != value) or type(value).__name__ in ("NAType", "NaTType")
        if null:
            lengths.append(-1)
            nullpos.append(offset + i)
        elif type(value) is str:
            encoded = value.encode("utf-8", "surrogatepass")
            lengths.append(len(encoded))
            chunks.append(encoded)
        else:
            encoded = _encode_object(value, notes, 0)
            lengths.append(-2 - len(encoded))
            chunks.append(encoded)
    digest.add_lengths(struct.pack("<%dq" % len(lengths), *lengths))
    digest.data.update(b"".join(chunks))
    digest.add_nulls(struct.pack("<%dq" % len(nullpos), *nullpos), len(nullpos))
    if notes and digest.fallback is None:
        digest.fallback = notes[0]


def _encode_object(value, notes, depth):
    """A typed, process-independent encoding of a Python value (used for object columns)."""
    if value is None:
        return b"n"
    kind = type(value)
    if kind is bool:
        return b"b1" if value else b"b0"
    if kind is str:
        return b"s" + value.encode("utf-8", "surrogatepass")
    if kind is int:
        return b"i" + str(value).encode()
    if kind is float:
        return b"f" + struct.pack("<d", value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return b"y" + bytes(value)
    if depth < 20:
        if isinstance(value, (tuple, list)):
            return (b"(" if isinstance(value, tuple) else b"[") + b"".join(
                _blob(_encode_object(v, notes, depth + 1)) for v in value)
        if isinstance(value, dict):
            return b"{" + b"".join(
                _blob(_encode_object(k, notes, depth + 1)) + _blob(_encode_object(v, notes, depth + 1))
                for k, v in value.items())
        if isinstance(value, (set, frozenset)):
            return b"<" + b"".join(sorted(_blob(_encode_object(v, notes, depth + 1)) for v in value))
    module = kind.__module__
    if module == "numpy":
        np = sys.modules["numpy"]
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                return b"A" + _blob(str(value.shape).encode()) + _encode_object(value.tolist(), notes, depth + 1)
            return b"a" + _blob(value.dtype.str.encode()) + _blob(str(value.shape).encode()) + np.ascontiguousarray(value).tobytes()
        if isinstance(value, np.generic):
            return b"g" + _blob(value.dtype.str.encode()) + value.tobytes()
    if isinstance(value, int):
        return b"i" + str(int(value)).encode()
    if isinstance(value, float):
        return b"f" + struct.pack("<d", float(value))
    if isinstance(value, str):
        return b"s" + str(value).encode("utf-8", "surrogatepass")
    if module in ("datetime", "decimal", "uuid", "fractions", "pathlib", "pandas._libs.tslibs.timestamps",
                  "pandas._libs.tslibs.timedeltas", "pandas._libs.tslibs.period", "pandas._libs.interval"):
        return b"r" + _blob((module + "." + kind.__qualname__).encode()) + str(value).encode("utf-8", "surrogatepass")
    try:
        import pickle

        return b"p" + pickle.dumps(value, protocol=4)
    except Exception:
        pass
    if not notes:
        notes.append("values of type %s are neither picklable nor stable; fingerprinted by repr" % kind.__qualname__)
    try:
        text = repr(value)
    except Exception:
        text = "?"
    return b"R" + _blob((module + "." + kind.__qualname__).encode()) + text.encode("utf-8", "surrogatepass")


def _feed_arrow(digest, chunked, ranges):
    """An Arrow Array / ChunkedArray: canonical regardless of chunking, slicing and validity buffers."""
    np = sys.modules.get("numpy")
    pa = sys.modules["pyarrow"]
    if isinstance(chunked, pa.Array):
        chunked = pa.chunked_array([chunked], type=chunked.type)
    pieces = []
    if ranges is None:
        pieces.append((0, chunked))
    else:
        for start, stop in ranges:
            pieces.append((start, chunked.slice(start, stop - start)))
    for base, part in pieces:
        offset = base
        for chunk in part.chunks:
            _feed_arrow_chunk(np, pa, digest, chunk, offset)
            offset += len(chunk)


def _feed_arrow_chunk(np, pa, digest, chunk, offset):
    types_ = pa.types
    kind = chunk.type
    if types_.is_dictionary(kind):
        chunk = chunk.dictionary_decode()
        kind = chunk.type
    if getattr(types_, "is_string_view", lambda t: False)(kind):
        chunk = chunk.cast(pa.large_string())
        kind = chunk.type
    if getattr(types_, "is_binary_view", lambda t: False)(kind):
        chunk = chunk.cast(pa.large_binary())
        kind = chunk.type
    length = len(chunk)
    if length == 0:
        return
    nulls = chunk.null_count
    mask = None
    if nulls and np is not None:
        mask = chunk.is_null().to_numpy(zero_copy_only=False)
    if np is not None and (types_.is_string(kind) or types_.is_large_string(kind) or types_.is_binary(kind)
                           or types_.is_large_binary(kind)):
        buffers = chunk.buffers()
        wide = types_.is_large_string(kind) or types_.is_large_binary(kind)
        offsets = np.frombuffer(buffers[1], dtype="<i8" if wide else "<i4", count=chunk.offset + length + 1)
        offsets = offsets[chunk.offset:]
        lengths = np.diff(offsets).astype("<i8")
        if mask is not None:
            if lengths[mask].any():
                _feed_objects(np, digest, chunk.to_pylist(), offset, None)
                return
            lengths[mask] = -1
        digest.add_lengths(lengths.tobytes())
        if buffers[2] is not None and offsets[-1] > offsets[0]:
            digest.data.update(memoryview(buffers[2])[int(offsets[0]):int(offsets[-1])])
        if mask is not None:
            positions = np.flatnonzero(mask)
            digest.add_nulls((positions + offset).astype("<i8").tobytes(), len(positions))
        return
    fixed = (types_.is_integer(kind) or types_.is_floating(kind) or types_.is_temporal(kind)
             or types_.is_fixed_size_binary(kind) or types_.is_decimal(kind))
    if np is not None and fixed and kind.bit_width % 8 == 0:
        width = kind.bit_width // 8
        data = np.frombuffer(chunk.buffers()[1], dtype=np.uint8, count=(chunk.offset + length) * width)
        data = data[chunk.offset * width:].reshape(length, width)
        if mask is not None:
            _feed_masked(np, digest, data, mask, offset)
        else:
            _feed_fixed(np, digest, data)
        return
    if np is not None and types_.is_boolean(kind):
        values = chunk.fill_null(False).to_numpy(zero_copy_only=False).astype(np.uint8)
        if mask is not None:
            positions = np.flatnonzero(mask)
            digest.add_nulls((positions + offset).astype("<i8").tobytes(), len(positions))
        _feed_fixed(np, digest, values)
        return
    if np is not None and types_.is_null(kind):
        digest.add_nulls(np.arange(offset, offset + length, dtype="<i8").tobytes(), length)
        return
    _feed_objects(np, digest, chunk.to_pylist(), offset, None)


def _normalize_pandas_values(values, np):
    """(form, parts) of a pandas column's values: 'fixed' ndarray, 'masked', 'arrow', 'object', 'cat'."""
    if isinstance(values, np.ndarray):
        return ("object", values) if values.dtype.hasobject else ("fixed", values)
    pa_array = getattr(values, "_pa_array", None)
    if pa_array is not None and "pyarrow" in sys.modules:
        return ("arrow", pa_array)
    data, mask = getattr(values, "_data", None), getattr(values, "_mask", None)
    if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray):
        return ("masked", (data, mask))
    codes = getattr(values, "_codes", None)
    if isinstance(codes, np.ndarray) and hasattr(values, "categories"):
        return ("cat", (codes, values.categories))
    nd = getattr(values, "_ndarray", None)
    if isinstance(nd, np.ndarray):
        return _normalize_pandas_values(nd, np)
    return ("object", np.asarray(values, dtype=object))


def _pandas_column_digest(np, pd, values, ranges, new):
    form, parts = _normalize_pandas_values(values, np)
    digest = _Digest(new)
    spans = ranges if ranges is not None else [(0, len(values))]
    if form == "fixed":
        for start, stop in spans:
            _feed_fixed(np, digest, parts[start:stop])
    elif form == "masked":
        data, mask = parts
        for start, stop in spans:
            _feed_masked(np, digest, data[start:stop], mask[start:stop], start)
    elif form == "arrow":
        _feed_arrow(digest, parts, ranges)
    elif form == "cat":
        codes, categories = parts
        for start, stop in spans:
            _feed_fixed(np, digest, codes[start:stop])
        digest.add_lengths(_pandas_column_digest(np, pd, categories._values, None, new)[0])
    else:
        _feed_object_array(np, pd, digest, parts, spans)
    return digest.finish(form.encode()), digest


def _feed_object_array(np, pd, digest, values, spans):
    pa = sys.modules.get("pyarrow")
    for start, stop in spans:
        part = values[start:stop]
        if part.ndim != 1:
            part = part.reshape(-1)
        if pa is not None:
            try:
                converted = pa.array(part, from_pandas=True)
                if pa.types.is_string(converted.type) or pa.types.is_large_string(converted.type):
                    _feed_arrow_chunk(np, pa, digest, converted, start)
                    continue
            except Exception:
                pass
        isna = None
        if pd is not None:
            try:
                isna = pd.isna(part)
            except Exception:
                isna = None
        _feed_objects(np, digest, part.tolist(), start, isna)


def _pandas_nbytes(np, obj):
    total = 0
    for block in obj._mgr.blocks:
        values = block.values
        nbytes = getattr(values, "nbytes", None)
        total += nbytes if isinstance(nbytes, int) else 8 * len(obj)
    return total


def _index_digest(np, pd, index, new):
    if type(index).__name__ == "RangeIndex":
        top = new()
        top.update(b"range" + _u64(index.start) + _u64(index.stop) + _u64(index.step))
        return top.digest(), str(index.dtype)
    digest, _ = _pandas_column_digest(np, pd, index._values, None, new)
    return digest, str(index.dtype)


def _fingerprint(obj, kind, max_bytes):
    """{fingerprint, sampled, shape, ranges, warnings} of a data object."""
    name, new = _hasher_factory()
    top = new()
    top.update(FINGERPRINT_VERSION + b"\0" + (kind or "?").encode() + b"\0")
    warnings = []
    digests = []
    if kind == "numpy":
        ranges, shape, nbytes = _fingerprint_numpy(obj, top, new, max_bytes, warnings, digests)
    elif kind == "pandas":
        ranges, shape, nbytes = _fingerprint_pandas(obj, top, new, max_bytes, warnings, digests)
    elif kind == "polars":
        ranges, shape, nbytes = _fingerprint_polars(obj, top, new, max_bytes, warnings, digests)
    elif kind == "arrow":
        ranges, shape, nbytes = _fingerprint_arrow(obj, top, new, max_bytes, warnings, digests)
    else:
        raise TypeError("not a data object: %s" % type(obj).__name__)
    if ranges is not None:
        top.update(b"sampled" + b"".join(_u64(a) + _u64(b) for a, b in ranges))
    return {
        "fingerprint": "%s:%s" % (name, top.hexdigest()),
        "sampled": ranges is not None,
        "shape": [int(s) for s in shape][:32],
        "ranges": ranges,
        "maxBytes": max_bytes,
        "nbytes": int(nbytes),
        "digests": digests,
        "warnings": warnings,
    }


def _fingerprint_numpy(arr, top, new, max_bytes, warnings, digests):
    np = sys.modules["numpy"]
    top.update(_blob(arr.dtype.str.encode()) + _blob(str(arr.dtype.descr).encode() if arr.dtype.fields else b""))
    top.update(_u64(arr.ndim) + b"".join(_u64(s) for s in arr.shape))
    rows = arr.shape[0] if arr.ndim else 1
    ranges = _row_ranges(rows, arr.nbytes, max_bytes) if arr.ndim else None
    spans = ranges if ranges is not None else [(0, rows)]
    digest = _Digest(new)
    if arr.dtype.hasobject:
        for start, stop in spans:
            part = arr[start:stop] if arr.ndim else arr.reshape(1)
            _feed_objects(np, digest, part.reshape(-1).tolist(), start, None)
    else:
        for start, stop in spans:
            _feed_fixed(np, digest, arr[start:stop] if arr.ndim else arr.reshape(1))
    if digest.fallback:
        warnings.append(digest.fallback)
    finished = digest.finish(b"array")
    digests.append(finished)
    top.update(finished)
    return ranges, arr.shape, arr.nbytes


def _fingerprint_pandas(obj, top, new, max_bytes, warnings, digests):
    np = sys.modules["numpy"]
    pd = sys.modules.get("pandas")
    is_frame = hasattr(obj, "columns")
    rows = len(obj.index)
    nbytes = _pandas_nbytes(np, obj)
    ranges = _row_ranges(rows, nbytes, max_bytes)
    top.update(b"frame" if is_frame else b"series")
    top.update(_u64(rows) + _u64(len(obj.columns) if is_frame else 1))
    index_digest, index_dtype = _index_digest(np, pd, obj.index, new)
    top.update(_blob(index_dtype.encode()) + index_digest + _name_bytes(obj.index.name))
    dtype_names = {}
    for column, values, dtype in _pandas_columns(obj):
        digest, state = _pandas_column_digest(np, pd, values, ranges, new)
        if state.fallback:
            warnings.append("column %r: %s" % (column, state.fallback))
        digests.append(digest)
        dtype_name = dtype_names.get(id(dtype))
        if dtype_name is None:
            dtype_name = dtype_names[id(dtype)] = _blob(str(dtype).encode())
        top.update(_name_bytes(column) + dtype_name + digest)
    return ranges, obj.shape, nbytes


def _pandas_columns(obj):
    """(label, values, dtype) of each column of a DataFrame, or of the Series itself. Read from the block manager
    (what `DataFrame.items()` gives, without building a Series per column: small frames are fingerprinted after
    every cell that makes them); through `items()` when those internals are not there."""
    if not hasattr(obj, "columns"):
        values = getattr(obj, "_values", None)
        return [(obj.name, obj.array if values is None else values, obj.dtype)]
    iget_values = getattr(getattr(obj, "_mgr", None), "iget_values", None)
    if iget_values is None:
        found = []
        for column, series in obj.items():
            values = getattr(series, "_values", None)
            found.append((column, series.array if values is None else values, series.dtype))
        return found
    found = []
    for j, column in enumerate(_column_labels(obj.columns)):
        values = iget_values(j)
        found.append((column, values, values.dtype))
    return found


def _column_labels(columns):
    """The labels of a columns Index as Python objects, what iterating it gives. pandas 3 keeps string labels in
    Arrow, where `Index.tolist()` takes ~50 us for three labels; Arrow's own `to_pylist()` gives the same strings."""
    pa_array = getattr(getattr(columns, "_values", None), "_pa_array", None)
    if pa_array is not None and type(columns).__name__ == "Index" and str(columns.dtype) in ("str", "string"):
        try:
            if pa_array.null_count == 0:
                return pa_array.to_pylist()
        except Exception:
            pass
    return columns.tolist()


def _fingerprint_polars(obj, top, new, max_bytes, warnings, digests):
    np = sys.modules.get("numpy")
    is_frame = hasattr(obj, "columns")
    columns = obj.get_columns() if is_frame else [obj]
    rows = obj.height if is_frame else len(obj)
    nbytes = obj.estimated_size()
    ranges = _row_ranges(rows, nbytes, max_bytes)
    top.update((b"frame" if is_frame else b"series") + _u64(rows) + _u64(len(columns)))
    have_arrow = "pyarrow" in sys.modules or _try_import("pyarrow") is not None
    for series in columns:
        digest = _Digest(new)
        dtype = series.dtype
        numeric = getattr(dtype, "is_numeric", lambda: False)() or getattr(dtype, "is_temporal", lambda: False)()
        spans = ranges if ranges is not None else [(0, rows)]
        if have_arrow:
            if ranges is None:
                _feed_arrow_offset(digest, series.to_arrow(), 0)
            else:
                for start, stop in spans:
                    _feed_arrow_offset(digest, series.slice(start, stop - start).to_arrow(), start)
        elif np is not None and numeric and series.null_count() == 0:
            for start, stop in spans:
                _feed_fixed(np, digest, series.slice(start, stop - start).to_numpy())
        else:
            for start, stop in spans:
                _feed_objects(np, digest, series.slice(start, stop - start).to_list(), start, None)
        if digest.fallback:
            warnings.append("column %r: %s" % (series.name, digest.fallback))
        digests.append(digest.finish(b"polars"))
        top.update(_name_bytes(series.name) + _blob(str(dtype).encode()) + digests[-1])
    return ranges, (obj.shape if is_frame else (rows,)), nbytes


def _feed_arrow_offset(digest, array, offset):
    pa = sys.modules["pyarrow"]
    np = sys.modules.get("numpy")
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    for chunk in chunks:
        _feed_arrow_chunk(np, pa, digest, chunk, offset)
        offset += len(chunk)


def _try_import(name):
    try:
        return __import__(name)
    except Exception:
        return None


def _fingerprint_arrow(obj, top, new, max_bytes, warnings, digests):
    rows = obj.num_rows
    ranges = _row_ranges(rows, obj.nbytes, max_bytes)
    top.update(b"table" + _u64(rows) + _u64(obj.num_columns))
    for name, column in zip(obj.column_names, obj.columns):
        digest = _Digest(new)
        _feed_arrow(digest, column, ranges)
        if digest.fallback:
            warnings.append("column %r: %s" % (name, digest.fallback))
        digests.append(digest.finish(b"arrow"))
        top.update(_name_bytes(name) + _blob(str(column.type).encode()) + digests[-1])
    return ranges, (rows, obj.num_columns), obj.nbytes


# --------------------------------------------------------------------------------------------------------------
# Column statistics (vectorized; cost capped by sampling)
# --------------------------------------------------------------------------------------------------------------


def _json_number(value):
    try:
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, (bool, int)):
            return value
        value = float(value)
        return value if math.isfinite(value) else None
    except Exception:
        return None


def _estimate_distinct(counts, sample_size, total):
    """Distinct values of `total` rows from a sample's value counts: Haas and Stokes' Duj1 estimator (the one
    PostgreSQL's ANALYZE uses): n*d / (n - f1 + f1*n/N)."""
    distinct = len(counts)
    singles = sum(1 for c in counts if c == 1) if isinstance(counts, list) else int((counts == 1).sum())
    n = float(max(sample_size, 1))
    denominator = n - singles + singles * n / max(total, 1)
    estimate = n * distinct / denominator if denominator > 0 else total
    return int(min(total, max(distinct, round(estimate))))


_sample_cache = {}


def _sample_positions(np, size, limit):
    """Sorted, distinct, pseudo-random positions (fixed seed: deterministic; random: no aliasing with periodic
    data, which a strided sample would have)."""
    key = (size, limit)
    positions = _sample_cache.get(key)
    if positions is None:
        positions = np.unique(np.random.default_rng(20240229).integers(0, size, limit))
        if len(_sample_cache) > 16:
            _sample_cache.clear()
        _sample_cache[key] = positions
    return positions


def _sample(np, values, limit):
    """About `limit` elements of `values`, flattened (all of them when there are no more): for 1-D data, 32
    contiguous runs at deterministic pseudo-random offsets (cache friendly, no aliasing with periodic data)."""
    size = values.size
    if size <= limit:
        return values.reshape(-1) if values.flags.c_contiguous else values.flat[:]
    if values.ndim == 1:
        run = max(1, limit // 32)
        starts = _sample_positions(np, size - run, 32)
        return np.concatenate([values[int(start):int(start) + run] for start in starts])
    positions = _sample_positions(np, size, limit)
    return values.reshape(-1)[positions] if values.flags.c_contiguous else values.flat[positions]


def _numpy_stats(np, values, mask=None):
    """Stats of a fixed-width ndarray (any shape; `mask` marks nulls of nullable columns): count, nulls, min,
    max and mean are exact (vectorized passes), std and distinct come from a sample of at most
    _DISTINCT_SAMPLE_ROWS values (exact below that)."""
    kind = values.dtype.kind
    size = values.size
    stats = {"dtype": str(values.dtype), "count": int(size), "nulls": 0}
    if size == 0:
        stats["distinct"] = 0
        return stats
    total = None
    null_mask = mask
    with np.errstate(all="ignore"):
        if mask is None and kind == "f":
            total = np.add.reduce(values, axis=None, dtype=np.float64)
            if not math.isfinite(total):  # NaN somewhere (or inf): find the nulls
                null_mask = np.isnan(values)
                total = None
        elif mask is None and kind == "c":
            null_mask = np.isnan(values)
        elif mask is None and kind in "mM":
            null_mask = np.isnat(values)
        nulls = int(np.count_nonzero(null_mask)) if null_mask is not None else 0
        stats["nulls"] = nulls
        stats["count"] = count = int(size - nulls)
        valid = values[~null_mask] if nulls else values
        if count == 0:
            stats["distinct"] = 0
            return stats
        if kind in "iufb":
            low, high = valid.min(), valid.max()
            stats["min"] = _json_number(low)
            stats["max"] = _json_number(high)
            if total is None and kind in "iu" and max(abs(int(low)), abs(int(high))) * count < 2**62:
                total = float(np.add.reduce(valid, axis=None))  # exact integer sum, no float conversion pass
            stats["mean"] = _json_number(total / count if total is not None else np.mean(valid, dtype=np.float64))
            spread = _sample(np, valid, _DISTINCT_SAMPLE_ROWS)
            stats["std"] = _json_number(np.std(spread, dtype=np.float64, ddof=1)) if spread.size > 1 else None
        elif kind == "M":
            stats["min"] = str(np.datetime_as_string(valid.min()))
            stats["max"] = str(np.datetime_as_string(valid.max()))
    stats["distinct"] = _numpy_distinct(np, valid, count)
    return stats


def _numpy_distinct(np, valid, total):
    try:
        if valid.size <= _DISTINCT_EXACT_ROWS and valid.size == total:
            return int(len(np.unique(valid)))
        sample = _sample(np, valid, _DISTINCT_SAMPLE_ROWS)
        _, counts = np.unique(sample, return_counts=True)
        return _estimate_distinct(counts, sample.size, total)
    except Exception:
        return None


def _object_stats(np, pd, values):
    n = len(values)
    isna = None
    if pd is not None:
        try:
            isna = np.asarray(pd.isna(values), dtype=bool)
        except Exception:
            isna = None
    if isna is None:
        isna = np.array([v is None or (isinstance(v, float) and v != v) for v in values], dtype=bool)
    nulls = int(np.count_nonzero(isna))
    sample = _sample(np, values, _DISTINCT_SAMPLE_ROWS)
    if nulls:
        sample = sample[~_sample(np, isna, _DISTINCT_SAMPLE_ROWS)]
    stats = {"count": n - nulls, "nulls": nulls}
    try:
        counts = {}
        for value in sample.tolist():
            counts[value] = counts.get(value, 0) + 1
        exact = len(sample) == n - nulls
        if not exact and n - nulls <= _DISTINCT_EXACT_ROWS:
            valid = values[~isna] if nulls else values
            counts = {}
            for value in valid.tolist():
                counts[value] = counts.get(value, 0) + 1
            exact = True
        stats["distinct"] = len(counts) if exact else _estimate_distinct(list(counts.values()), len(sample), n - nulls)
    except TypeError:
        stats["distinct"] = None
    return stats


def _take_rows(values, ranges, np):
    """The rows the fingerprint hashed (all, or the sampled ranges concatenated)."""
    if ranges is None:
        return values
    return np.concatenate([values[a:b] for a, b in ranges])


def _pandas_column_stats(np, pd, name, values, dtype, ranges):
    form, parts = _normalize_pandas_values(values, np)
    if form == "fixed":
        stats = _numpy_stats(np, _take_rows(parts, ranges, np))
    elif form == "masked":
        stats = _numpy_stats(np, _take_rows(parts[0], ranges, np), _take_rows(parts[1], ranges, np))
    elif form == "arrow":
        stats = _arrow_stats(parts, ranges)
    elif form == "cat":
        codes = _take_rows(parts[0], ranges, np)
        nulls = int(np.count_nonzero(codes < 0))
        present = codes[codes >= 0].astype(np.int64)
        stats = {"count": int(codes.size - nulls), "nulls": nulls,
                 "distinct": int(np.count_nonzero(np.bincount(present))) if present.size else 0}
    else:
        stats = _object_stats(np, pd, _take_rows(parts, ranges, np))
    stats["dtype"] = str(dtype)
    return _stats_record(name, stats)


def _stats_record(name, stats):
    record = {"column": _column_label(name), "dtype": str(stats.get("dtype", ""))[:255],
              "count": int(stats.get("count", 0)), "nulls": int(stats.get("nulls", 0))}
    for key in ("min", "max"):
        value = stats.get(key)
        if value is not None:
            record[key] = value if not isinstance(value, str) else _redact_text(value[:256])
    for key in ("mean", "std", "distinct"):
        if key in stats:
            record[key] = stats[key]
    return record


def _column_label(name):
    if name is None:
        return ""
    return (name if isinstance(name, str) else str(name))[:1024]


def _arrow_stats(chunked, ranges):
    pa = sys.modules["pyarrow"]
    import pyarrow.compute as pc

    if isinstance(chunked, pa.Array):
        chunked = pa.chunked_array([chunked], type=chunked.type)
    if ranges is not None:
        chunked = pa.chunked_array([c for a, b in ranges for c in chunked.slice(a, b - a).chunks], type=chunked.type)
    n = len(chunked)
    nulls = chunked.null_count
    stats = {"dtype": str(chunked.type), "count": n - nulls, "nulls": nulls}
    np = sys.modules.get("numpy")
    basis = chunked
    kind = chunked.type
    types_ = pa.types
    try:
        if types_.is_integer(kind) or types_.is_floating(kind) or types_.is_boolean(kind):
            minmax = pc.min_max(basis)
            stats["min"] = _json_number(minmax["min"].as_py())
            stats["max"] = _json_number(minmax["max"].as_py())
            if not types_.is_boolean(kind):
                stats["mean"] = _json_number(pc.mean(basis).as_py())
                stats["std"] = _json_number(pc.stddev(basis, ddof=1).as_py())
        elif types_.is_temporal(kind):
            minmax = pc.min_max(basis)
            low, high = minmax["min"].as_py(), minmax["max"].as_py()
            if low is not None:
                stats["min"], stats["max"] = _iso(low), _iso(high)
    except Exception:
        pass
    try:
        valid = pc.drop_null(basis)
        if n <= _DISTINCT_EXACT_ROWS:
            stats["distinct"] = int(pc.count_distinct(valid).as_py())
        else:
            if np is not None and len(valid) > _DISTINCT_SAMPLE_ROWS:
                valid = pc.take(valid, pa.array(_sample_positions(np, len(valid), _DISTINCT_SAMPLE_ROWS)))
            counts = pc.value_counts(valid).field("counts").to_pylist()
            stats["distinct"] = _estimate_distinct(counts, len(valid), n - nulls)
    except Exception:
        stats["distinct"] = None
    return stats


def _iso(value):
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else str(value)


def _polars_column_stats(series, ranges):
    pl = sys.modules["polars"]
    if ranges is not None:
        series = pl.concat([series.slice(a, b - a) for a, b in ranges])
    n = len(series)
    nulls = int(series.null_count())
    stats = {"dtype": str(series.dtype), "count": n - nulls, "nulls": nulls}
    np = sys.modules.get("numpy")
    basis = series
    dtype = series.dtype
    numeric = getattr(dtype, "is_numeric", lambda: False)()
    temporal = getattr(dtype, "is_temporal", lambda: False)()
    try:
        if numeric or dtype == pl.Boolean:
            stats["min"] = _json_number(basis.min())
            stats["max"] = _json_number(basis.max())
            if numeric:
                stats["mean"] = _json_number(basis.mean())
                stats["std"] = _json_number(basis.std()) if n - nulls > 1 else None
        elif temporal:
            low, high = basis.min(), basis.max()
            if low is not None:
                stats["min"], stats["max"] = _iso(low), _iso(high)
    except Exception:
        pass
    try:
        valid = basis.drop_nulls()
        if n <= _DISTINCT_EXACT_ROWS:
            stats["distinct"] = int(valid.n_unique())
        else:
            if np is not None and len(valid) > _DISTINCT_SAMPLE_ROWS:
                valid = valid.gather(_sample_positions(np, len(valid), _DISTINCT_SAMPLE_ROWS))
            counts = valid.value_counts()[:, 1].to_list()
            stats["distinct"] = _estimate_distinct(counts, len(valid), n - nulls)
    except Exception:
        stats["distinct"] = None
    return _stats_record(series.name, stats)


_stats_cache = {}


class _NotCached(Exception):
    """Raised by _column_stats(cached_only=True) when a column's statistics still have to be computed."""


def _cached_stats(key, label, compute, cached_only=False):
    """Column statistics are a function of the column's content: reuse them by content digest (a frame that got
    one new column pays for that column only)."""
    stats = _stats_cache.get(key)
    if stats is None:
        if cached_only:
            raise _NotCached()
        stats = compute()
        if len(_stats_cache) >= 4096:
            _stats_cache.clear()
        _stats_cache[key] = stats
    record = dict(stats)
    record["column"] = _column_label(label)
    return record


def _column_stats(obj, kind, info, warnings, name, cached_only=False):
    """ColumnStats records of a data object (the rows the fingerprint hashed; at most _MAX_STATS_COLUMNS).
    With cached_only, raises _NotCached instead of computing anything."""
    ranges = info["ranges"]
    digests = info.get("digests") or []
    span = tuple(ranges) if ranges is not None else None
    np = sys.modules.get("numpy")
    if kind == "numpy":
        if obj.ndim == 0 or obj.dtype.fields:
            return []
        key = ("numpy", info["fingerprint"])
        cached = _stats_cache.get(key)
        if cached is None and cached_only:
            raise _NotCached()
        if cached is None:
            values = _take_rows(obj, ranges, np)
            if obj.dtype.hasobject:
                stats = _object_stats(np, sys.modules.get("pandas"), values.reshape(-1))
                stats["dtype"] = str(obj.dtype)
                cached = [_stats_record("", stats)]
            elif obj.ndim == 2 and obj.shape[1] <= 256:
                cached = [_stats_record(str(j), _numpy_stats(np, values[:, j])) for j in range(obj.shape[1])]
            else:
                cached = [_stats_record("", _numpy_stats(np, values))]
            _stats_cache[key] = cached
        return [dict(record) for record in cached]
    records = []
    if kind == "pandas":
        pd = sys.modules.get("pandas")
        for i, (column, values, dtype) in enumerate(_pandas_columns(obj)):
            if i >= _MAX_STATS_COLUMNS:
                warnings.append("%s: statistics kept for the first %d columns" % (name, _MAX_STATS_COLUMNS))
                break
            key = ("pandas", digests[i] if i < len(digests) else object(), str(dtype), span)
            records.append(_cached_stats(key, column, lambda: _pandas_column_stats(np, pd, column, values, dtype, ranges),
                                         cached_only))
    elif kind == "polars":
        columns = obj.get_columns() if hasattr(obj, "columns") else [obj]
        for i, series in enumerate(columns[:_MAX_STATS_COLUMNS]):
            key = ("polars", digests[i] if i < len(digests) else object(), str(series.dtype), span)
            records.append(_cached_stats(key, series.name, lambda: _polars_column_stats(series, ranges), cached_only))
    elif kind == "arrow":
        for i, (column_name, column) in enumerate(list(zip(obj.column_names, obj.columns))[:_MAX_STATS_COLUMNS]):
            key = ("arrow", digests[i] if i < len(digests) else object(), str(column.type), span)
            records.append(_cached_stats(key, column_name, lambda: _stats_record(column_name, _arrow_stats(column, ranges)), cached_only))
    return records


# --------------------------------------------------------------------------------------------------------------
# Redaction (first line of defence: nothing that looks like a secret leaves the kernel)
# --------------------------------------------------------------------------------------------------------------
#
# The same rules as core/capture/secret-names.ts and secret-patterns.ts (the frontend applies them again, with the
# user's own patterns): a name denotes a secret by its last word (`db_password`, `OPENAI_API_KEY`, `hf_token`, but
# not `pad_token`, `password_file` or `sort_key`); a text loses issued token formats, credentials in URLs, private
# key blocks, Authorization/Bearer values and the values of secret-named assignments. Both implementations are
# tested against one corpus (core/capture/redaction-corpus.json). Applied to params, explicit params, tags, string
# statistics and the git diff.

REDACTED = "[redacted]"
_SECRET_WORDS = frozenset("password passwd pwd passphrase passcode secret secrets credential credentials creds auth "
                          "authorization".split())
_SECRET_SUFFIXES = ("password", "passwd", "secret", "apikey", "accesskey", "privatekey", "secretkey", "token")
_KEY_QUALIFIERS = frozenset(
    "api access private secret signing encryption master account client ssh auth subscription consumer app deploy "
    "storage shared sas gpg pgp rsa license openai anthropic cohere mistral groq wandb kaggle comet neptune hf "
    "huggingface github gitlab slack stripe aws gcp azure google pinecone replicate".split())
_NON_SECRET_TOKEN_WORDS = frozenset(
    "pad padding eos bos unk unknown cls sep separator mask sos eot eod start end stop begin special image audio "
    "video vision placeholder decoder max min num n total count avg mean first last next prev new".split())
_A = re.ASCII
_PLACEHOLDER = re.compile(r"^(?:|none|null|nil|undefined|true|false|\*+|\[redacted\]|bearer|basic|token)$", re.I | _A)
_AWS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z\d])[A-Z\d]{16}\b", _A)
_TOKEN_FORMATS = [
    (_AWS_KEY_ID, None),
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z\d]{36,255}|github_pat_\w{22,255})\b", _A), None),
    (re.compile(r"(?<![\w-])xox[a-z]-[A-Za-z\d-]{10,}", _A), None),
    (re.compile(r"(?<![\w-])sk-[\w-]{20,}", _A), lambda m: re.search(r"\d", m) and re.search(r"[A-Z]", m)),
    (re.compile(r"\b[rs]k_(?:live|test)_[A-Za-z\d]{16,}\b", _A), None),
    (re.compile(r"\bAIza[\w-]{35}(?![\w-])", _A), None),
    (re.compile(r"\bhf_[A-Za-z\d]{30,}\b", _A), None),
    (re.compile(r"(?<![\w-])eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*", _A), None),
]
_PRIVATE_KEY = re.compile(
    r"-----BEGIN ((?:[A-Z\d]+ )*)PRIVATE KEY( BLOCK|)-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|\Z)", _A)
_URL_CREDENTIALS = re.compile(r"(?<![a-z\d+.-])([a-z][a-z\d+.-]{0,31}://)([^\s:/?#@]*):([^\s/?#]+)@", re.I | _A)
_AUTH_HEADER = re.compile(
    r"""\b(Authorization["']?\s*[:=]\s*["']?(?:(?:Bearer|Basic|Token|Digest|Negotiate|Bot)\s+)?)([^\s"',;]+)""",
    re.I | _A)
_BEARER = re.compile(r"\b(Bearer\s+)([\w\-.~+/]{8,}=*)", re.I | _A)
_QUOTED = re.compile(
    r"""(?<![\w.])(?<![\w.]-)([A-Za-z_][\w.-]{0,127})(["']?\]?(?:\s*:\s*[A-Za-z_][\w.]*)?\s*[:=]\s*)(["'])"""
    r"""((?:\\.|(?!\3)[^\\\n]){0,1024})\3""", _A)
_BARE = re.compile(r"""(?<![\w.])(?<![\w.]-)([A-Za-z_][\w.-]{0,127})=([^\s"'`,;&()\[\]{}<>=]+)(?=\Z|[\s;&"'`])""", _A)
_AWS_SECRET = re.compile(r"(?<![\w/+.-])[A-Za-z\d/+]{40}(?![\w/+=.-])", _A)


def _name_words(name):
    name = re.sub(r"([a-z\d])([A-Z])", r"\1 \2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", name)
    name = re.sub(r"([A-Za-z])(\d)", r"\1 \2", name)
    return [w for w in re.split(r"[^a-z\d]+", name.lower()) if w and not w.isdigit()]


_secret_name_cache = {}


def _is_secret_name(name):
    """Whether a variable, param or dict-key name denotes a secret (secret-names.ts, built-in rules)."""
    name = str(name)
    known = _secret_name_cache.get(name)
    if known is None:
        if len(_secret_name_cache) > 10_000:
            _secret_name_cache.clear()
        known = _secret_name_cache[name] = _secret_name_uncached(name)
    return known


def _secret_name_uncached(name):
    words = _name_words(name)
    if not words:
        return False
    last, before = words[-1], words[:-1]
    if last in _SECRET_WORDS:
        return True
    if last == "token":
        return not any(w in _NON_SECRET_TOKEN_WORDS for w in before)
    if last == "key":
        return bool(before) and before[-1] in _KEY_QUALIFIERS
    if last == "id":
        return before[-2:] == ["access", "key"]
    return any(last.endswith(suffix) for suffix in _SECRET_SUFFIXES)


def _redact_quoted(text):
    def replace(m):
        key, mid, quote, value = m.group(1), m.group(2), m.group(3), m.group(4)
        if not _is_secret_name(key):
            return key + mid + quote + _redact_quoted(value) + quote
        return m.group(0) if _PLACEHOLDER.match(value.strip()) else key + mid + quote + REDACTED + quote

    return _QUOTED.sub(replace, text)


def _redact_aws_secret(text):
    has_key_id = _AWS_KEY_ID.search(text) is not None

    def replace(m):
        value = m.group(0)
        if value.startswith("/") or not (re.search(r"[A-Z]", value) and re.search(r"[a-z]", value) and re.search(r"\d", value)):
            return value
        before = text[max(0, m.start() - 200):m.start()]
        return REDACTED if has_key_id or re.search(r"aws|secret", before, re.I) else value

    return _AWS_SECRET.sub(replace, text)


def _redact_text(text):
    """The text with every recognised secret replaced by "[redacted]", everything else unchanged."""
    if not isinstance(text, str) or not text:
        return text
    text = _PRIVATE_KEY.sub(REDACTED, text)
    text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + m.group(2) + ":" + REDACTED + "@", text)
    text = _AUTH_HEADER.sub(
        lambda m: m.group(0) if len(m.group(2)) < 8 or _PLACEHOLDER.match(m.group(2)) else m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED if re.search(r"[\d\-.~+/_]", m.group(2)) else m.group(0), text)
    text = _redact_quoted(text)
    text = _BARE.sub(
        lambda m: m.group(1) + "=" + REDACTED if _is_secret_name(m.group(1)) and not _PLACEHOLDER.match(m.group(2))
        else m.group(0), text)
    text = _redact_aws_secret(text)
    for pattern, accept in _TOKEN_FORMATS:
        text = pattern.sub(lambda m: REDACTED if accept is None or accept(m.group(0)) else m.group(0), text)
    return text


def _redact_value(value, depth=0):
    """A JSON value with secrets removed: strings redacted, values under secret dict keys replaced."""
    if isinstance(value, str):
        return _redact_text(value)
    if isinstance(value, list) and depth < 32:
        return [_redact_value(v, depth + 1) for v in value]
    if isinstance(value, dict) and depth < 32:
        return {k: (_mask_secret(v) if _is_secret_name(k) else _redact_value(v, depth + 1)) for k, v in value.items()}
    return value


def _mask_secret(value):
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and _PLACEHOLDER.match(value.strip()):
        return value
    return REDACTED


def _redact_param(key, value):
    """(key, value) as a param may leave the kernel: a secret name keeps its key with the value masked."""
    return key, (_mask_secret(value) if _is_secret_name(key) else _redact_value(value))


# --------------------------------------------------------------------------------------------------------------
# Fingerprints and statistics in the background
# --------------------------------------------------------------------------------------------------------------
#
# Hashing runs at memory speed, about as fast as the cheap pandas step that made the data, so doing it in the delta
# would cost a notebook of such steps more than its 2% budget (docs/benchmarks.md). One background thread takes
# over what is large, and later deltas hand the results over; `pending` tells the frontend that work is still
# waiting, so it asks again once the kernel is idle (decisions 0018 and 0029).
# - The thread works only when the kernel is idle: no cell has run for _IDLE_S. Under Run All the next cell starts
#   within a millisecond or two of the previous delta, so the notebook's own work never competes with it (for the
#   CPU or, in its Python-level parts, for the GIL).
# - Objects above _DEFER_BYTES are left to it entirely: the delta only notes a marker (name, the execution that
#   changed the object). A marker not yet taken is replaced by the next change of the same name, so an object
#   changed by ten cells of a Run All is hashed once, in its latest state, and attributed to the last of them; the
#   earlier executions are listed in the delta's `superseded` (their states were never fingerprinted).
# - Objects above _STATS_INLINE_BYTES and up to _DEFER_BYTES are fingerprinted in the delta; only their column
#   statistics, unless already cached by content, come later as `columnStats` for the snapshot reported with
#   `statsPending: true`.
# - Under a burst of cells (a cell that starts within _BURST_GAP_S of the previous one's end: Run All), smaller
#   objects that can be frozen cheaply are handed over too, as the exact state this execution left, never
#   coalesced (decision 0032): their snapshots come in a later delta with their `executionCount`. Snapshots of one
#   name are compared and reported in execution order: while some wait, its later states queue behind them. A cell
#   run at a person's pace gets its small objects' snapshots in its own delta, as before.
#
# What the thread reads must be what the marker or the snapshot stands for. pandas with copy-on-write (pandas 3, or
# the option on) is read through a shallow copy taken when the work starts, which pandas protects (a later in-place
# write to the user's frame copies first); polars frames are cloned (cheap) and Arrow tables are immutable. Nothing
# protects numpy arrays (or pandas without copy-on-write) without a copy: their fingerprint is thrown away and done
# again at the next idle moment when a cell started while it was computed, and their statistics are kept only if
# the object still has the fingerprint they were queued for and no cell started meanwhile (else dropped with a
# warning rather than describe a mixture).


def _attach_stats(snapshot, obj, kind, info, warnings, name):
    """Puts column statistics on a snapshot now, or queues them for the background thread (statsPending)."""
    try:
        if info["nbytes"] <= _STATS_INLINE_BYTES:
            snapshot["columns"] = _column_stats(obj, kind, info, warnings, name)
            return
        try:
            snapshot["columns"] = _column_stats(obj, kind, info, warnings, name, cached_only=True)
            return
        except _NotCached:
            pass
        if _queue_stats(obj, kind, info, name):
            snapshot["statsPending"] = True
        else:
            snapshot["columns"] = _column_stats(obj, kind, info, warnings, name)
    except Exception as exc:
        warnings.append("%s: column statistics failed (%r)" % (name, exc))


_pandas_3 = {}


def _copy_on_write(pd):
    """True when pandas protects shared data from in-place writes (pandas 3, or the option turned on)."""
    try:
        major = _pandas_3.get(pd)
        if major is None:
            major = _pandas_3[pd] = int(str(pd.__version__).split(".")[0]) >= 3
        if major:
            return True
        return pd.options.mode.copy_on_write is True
    except Exception:
        return False


def _freeze(obj, kind):
    """(what the background thread may read, whether later writes to `obj` cannot reach it)."""
    if kind == "pandas":
        pd = sys.modules.get("pandas")
        if pd is not None and _copy_on_write(pd):
            return obj.copy(deep=False), True
        return obj, False
    if kind == "polars":
        return obj.clone(), True
    if kind == "arrow":
        return obj, True
    return obj, False


def _queue_stats(obj, kind, info, name):
    """Hands the statistics of `obj` to the background thread; False when there is no thread to hand them to."""
    st = _state
    try:
        frozen, protected = _freeze(obj, kind)
    except Exception:
        return False
    job = {
        "type": "stats",
        "obj": frozen,
        "kind": kind,
        "name": name,
        "info": {"fingerprint": info["fingerprint"], "ranges": info["ranges"], "digests": info.get("digests") or [],
                 "maxBytes": info["maxBytes"]},
        "protected": protected,
    }
    return _queue_job(st, job)


def _estimated_nbytes(obj, kind):
    """The object's size in bytes; None when it cannot be told."""
    try:
        if kind == "pandas":
            return _pandas_nbytes(sys.modules["numpy"], obj)
        if kind == "polars":
            return obj.estimated_size()
        if kind == "arrow":
            return obj.nbytes
        return getattr(obj, "nbytes", 0)
    except Exception:
        return None


def _defer_snapshot(cache, name, obj, kind, nbytes, max_bytes, cheap, ref, entry, execution_count):
    """Leaves the fingerprint of a large object to the background thread, which starts once the kernel is idle:
    the delta only notes which execution changed it (a marker). A marker not yet taken is replaced by the next
    change of the same name (coalescing; the earlier execution is reported as superseded). False when the
    object is small enough to be fingerprinted now."""
    if nbytes is None or nbytes <= _DEFER_BYTES or _start_worker(_state) is None:
        return False
    _supersede(name, entry)
    marker = {"name": name, "kind": kind, "ref": ref, "obj": obj if ref is None else None, "maxBytes": max_bytes,
              "executionCount": execution_count}
    st = _state
    cache[name] = {"oid": id(obj), "ref": ref, "cheap": cheap, "reported": entry["reported"] if entry else None,
                   "nbytes": nbytes, "marker": marker}
    with st.lock:
        st.deferred[name] = marker
    if not st.wake.is_set():
        st.wake.set()
    return True


def _hand_over(cache, name, obj, kind, nbytes, max_bytes, cheap, ref, entry, execution_count):
    """Under a burst of cells (Run All) the snapshot of a small object is left to the background thread too, but
    exactly as this execution left it, never coalesced: the thread gets a frozen state (pandas with copy-on-write
    through a shallow copy, polars through a clone, Arrow as is, a small numpy array as a copy). While snapshots of
    a name wait for the thread, its later states queue behind them (fingerprinted now when they cannot be frozen),
    so each name's snapshots are compared and reported in execution order. False when the snapshot is taken now."""
    st = _state
    waiting = st.exact_waiting.get(name, 0)
    if not (st.in_burst or waiting) or nbytes is None or _start_worker(st) is None:
        return False
    frozen = _freeze_small(obj, kind, nbytes) if st.held_bytes + nbytes <= _HANDOVER_HELD_BYTES else None
    if frozen is None and not waiting:
        return False
    _supersede(name, entry)
    job = {"type": "exact", "name": name, "kind": kind, "maxBytes": max_bytes, "executionCount": execution_count,
           "nbytes": 0 if frozen is None else nbytes}
    baseline = None
    if frozen is None:
        job["result"] = _exact_result(job, obj)  # statistics too, so that none arrive before their snapshot
        if cheap is _BASELINE_PENDING:
            cheap = _cheap_or_none(obj, kind, max_bytes)
    else:
        job["obj"] = frozen
        if cheap is _BASELINE_PENDING:
            baseline = job["baseline"] = object()  # ties the entry to the job that settles its baseline
    cache[name] = {"oid": id(obj), "ref": ref, "cheap": cheap, "reported": entry["reported"] if entry else None,
                   "nbytes": nbytes, "marker": None, "baseline": baseline}
    st.exact_waiting[name] = waiting + 1
    with st.lock:
        st.held_bytes += job["nbytes"]
        st.stats_jobs.append(job)
    if not st.wake.is_set():  # Event.set() takes a lock and notifies even when already set
        st.wake.set()
    return True


def _settle_baseline(st, job, result, epoch):
    """Background thread, once idle, after the snapshot of a state handed over with its baseline pending: the
    object that state was frozen from gets its cheap version as the baseline for later change detection, if it
    still has the same content (its fingerprint equals the snapshot's). Otherwise it changed since without any
    check noticing, and the baseline stays unknown (None): the next check of the name, by name or the periodic
    full one, treats it as changed, as a differing cheap version would have. Nothing is kept when a cell started
    meanwhile (the entry stays pending: a check treats it as changed)."""
    name = job["name"]
    entry = st.snap_cache.get(name)
    if entry is None or entry.get("baseline") is not job["baseline"]:
        return
    obj = entry["ref"]() if entry["ref"] is not None else None
    cheap = None
    if obj is not None and "fingerprint" in result:
        try:
            if _fingerprint(obj, job["kind"], job["maxBytes"])["fingerprint"] == result["fingerprint"]:
                cheap = _cheap_version(obj, job["kind"], job["maxBytes"])
        except Exception:
            cheap = None
    if st.cell_epoch != epoch or st.recording:
        return
    if st.snap_cache.get(name) is entry and entry.get("baseline") is job["baseline"]:
        entry["cheap"] = cheap
        entry["baseline"] = None


def _freeze_small(obj, kind, nbytes):
    """A state of a small object that later writes to it cannot reach (cheap: no copy of pandas, polars or Arrow
    data, a copy of numpy arrays up to _HANDOVER_COPY_BYTES); None when there is none."""
    if kind == "numpy":
        if nbytes <= _HANDOVER_COPY_BYTES and not obj.dtype.hasobject:
            return obj.copy()
        return None
    try:
        frozen, protected = _freeze(obj, kind)
    except Exception:
        return None
    return frozen if protected else None


def _exact_result(job, obj):
    """The snapshot of a handed-over state: fingerprint and column statistics."""
    name, kind = job["name"], job["kind"]
    try:
        info = _fingerprint(obj, kind, job["maxBytes"])
    except Exception as exc:
        return {"type": "exact", "name": name,
                "warnings": ["%s: cannot fingerprint %s (%r); skipped" % (name, type(obj).__name__, exc)]}
    warnings = []
    snapshot = _described_snapshot(name, kind, info, obj, job["executionCount"], warnings)
    warnings = ["%s: %s" % (name, w) for w in info["warnings"]] + warnings
    return {"type": "exact", "name": name, "fingerprint": info["fingerprint"], "snapshot": snapshot,
            "warnings": warnings}


def _exact_done(st, result, snapshots):
    """Reports a handed-over snapshot unless its name's previous snapshot (in execution order) had the same
    fingerprint."""
    name = result["name"]
    waiting = st.exact_waiting.get(name, 0) - 1
    if waiting > 0:
        st.exact_waiting[name] = waiting
    else:
        st.exact_waiting.pop(name, None)
    if "fingerprint" not in result:
        return
    entry = st.snap_cache.get(name)
    if entry is not None:
        if entry["reported"] == result["fingerprint"]:
            return
        entry["reported"] = result["fingerprint"]
    snapshots.append(result["snapshot"])


def _supersede(name, entry):
    """The state of `name` that waits for the background thread changed again (or the name is gone) before it was
    fingerprinted: the marker is withdrawn and its execution reported in `superseded`."""
    marker = entry.get("marker") if entry else None
    if marker is None:
        return
    entry["marker"] = None
    st = _state
    with st.lock:
        if st.deferred.get(name) is marker:
            del st.deferred[name]
        if len(st.superseded) < 10_000:
            st.superseded.append({"name": name, "executionCount": marker["executionCount"]})


def _start_worker(st):
    """The background thread (started on first use); None when threads cannot be started."""
    if st.worker is None:
        try:
            st.wake = threading.Event()
            thread = threading.Thread(target=_background_loop, args=(st,), name="runtrail-stats", daemon=True)
            thread.start()
            st.worker = thread
        except Exception:
            return None
    return st.worker


def _queue_job(st, job):
    if _start_worker(st) is None:
        return False
    with st.lock:
        st.stats_jobs.append(job)
        st.wake.set()
    return True


def _pending_work(st):
    """Background work queued or running (call with st.lock held)."""
    return len(st.stats_jobs) + len(st.deferred) + st.running


def _wait_until_idle(st):
    """Returns once no cell has run for _IDLE_S: under Run All the next cell starts within a millisecond or two of
    the previous one's delta, so nothing is done while the notebook runs and the user's Run All pays nothing."""
    while True:
        idle_for = time.monotonic() - st.last_cell_at
        if not st.recording and idle_for >= _IDLE_S:
            return
        time.sleep(_IDLE_S if st.recording else max(0.002, _IDLE_S - idle_for))


def _background_loop(st):
    while True:
        st.wake.wait()
        _wait_until_idle(st)
        with st.lock:
            if st.recording:
                continue
            epoch = st.cell_epoch
            if st.stats_jobs:
                job = st.stats_jobs.popleft()
            elif st.deferred:
                job = st.deferred.pop(next(iter(st.deferred)))
            else:
                st.wake.clear()
                continue
            st.running += 1
        try:
            kind = job.get("type")
            if kind == "stats":
                result = _background_stats(st, job, epoch)
            elif kind == "exact":
                result = job.get("result") or _exact_result(job, job["obj"])
                if job.get("baseline") is not None:
                    _settle_baseline(st, job, result, epoch)
            elif kind == "file":
                result = _background_file(st, job)
            else:
                result = _background_snapshot(st, job, epoch)
        except Exception as exc:
            result = {"type": job.get("type", "snapshot"), "name": job["name"], "marker": job,
                      "warnings": ["%s: background capture failed (%r)" % (job["name"], exc)]}
        if job.get("type") in ("stats", "exact"):
            job.pop("obj", None)  # releases the frozen copy before the result waits for a delta
        with st.lock:
            if result is not None:
                st.stats_done.append(result)
            st.held_bytes -= job.get("nbytes", 0) if job.get("type") == "exact" else 0
            st.running -= 1


def _described_snapshot(name, kind, info, obj, execution_count, warnings):
    """The snapshot record of `obj` for one execution, with its column statistics (a failure becomes a warning)."""
    snapshot = _snapshot_record(name, kind, info)
    snapshot["executionCount"] = execution_count
    try:
        snapshot["columns"] = _column_stats(obj, kind, info, warnings, name)
    except Exception as exc:
        warnings.append("%s: column statistics failed (%r)" % (name, exc))
    return snapshot


def _background_stats(st, job, epoch):
    warnings = []
    obj, info = job["obj"], job["info"]
    try:
        columns = _column_stats(obj, job["kind"], info, warnings, job["name"])
        untouched = job["protected"]
        if not untouched:
            # Nothing protects it from writes: the statistics describe the reported content only if it still has
            # that fingerprint and no cell started while they were computed.
            again = _fingerprint(obj, job["kind"], info["maxBytes"])["fingerprint"]
            untouched = again == info["fingerprint"] and st.cell_epoch == epoch
    except Exception as exc:
        columns, untouched = [], True
        warnings.append("%s: column statistics failed (%r)" % (job["name"], exc))
    return {
        "type": "stats",
        "fingerprint": info["fingerprint"],
        "name": job["name"],
        "columns": columns,
        "warnings": warnings,
        "untouched": untouched,
    }


def _background_snapshot(st, marker, epoch):
    """Fingerprints (and describes) the object of a marker as it is now. pandas with copy-on-write, polars and
    Arrow are read through a frozen view, so a cell starting meanwhile cannot change what is read; anything else
    is read in place and the work is redone at the next idle moment if a cell started meanwhile."""
    name, kind = marker["name"], marker["kind"]
    obj = marker["ref"]() if marker["ref"] is not None else marker["obj"]
    if obj is None:
        return {"type": "snapshot", "name": name, "marker": marker, "snapshot": None, "warnings": []}
    frozen, protected = _freeze(obj, kind)
    del obj
    if st.cell_epoch != epoch:
        return _retry(st, marker)
    warnings = []
    try:
        info = _fingerprint(frozen, kind, marker["maxBytes"])
    except Exception as exc:
        if not protected and st.cell_epoch != epoch:
            return _retry(st, marker)
        return {"type": "snapshot", "name": name, "marker": marker, "snapshot": None,
                "warnings": ["%s: cannot fingerprint %s (%r); skipped" % (name, type(frozen).__name__, exc)]}
    entry = st.snap_cache.get(name)
    snapshot = None
    if entry is None or info["fingerprint"] != entry["reported"]:
        snapshot = _described_snapshot(name, kind, info, frozen, marker["executionCount"], warnings)
    if not protected and st.cell_epoch != epoch:
        return _retry(st, marker)
    warnings = ["%s: %s" % (name, w) for w in info["warnings"]] + warnings
    return {"type": "snapshot", "name": name, "marker": marker, "fingerprint": info["fingerprint"], "snapshot": snapshot,
            "warnings": warnings}


def _background_file(st, job):
    """The snapshot of a large file a cell read, as it is now if it still has the size, modification time and inode
    it had when the delta saw it (else it is reported as changed, not hashed)."""
    path, name = job["path"], job["name"]
    stat = os.stat(path)
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ino, job["maxBytes"])
    if key != job["key"]:
        return {"type": "file", "name": name, "snapshot": None,
                "warnings": ["file %s: changed before it was fingerprinted; not recorded for that read" % name]}
    cached = st.file_cache.get(path)
    if cached is None or cached[0] != key:  # the same file read by several cells is hashed once
        cached = (key, _file_fingerprint(path, stat.st_size, job["maxBytes"]))
        st.file_cache[path] = cached
    fingerprint_, sampled = cached[1]
    snapshot = {"name": name, "kind": "file", "fingerprint": fingerprint_, "sampled": sampled,
                "shape": [stat.st_size], "columns": [], "executionCount": job["executionCount"]}
    return {"type": "file", "name": name, "snapshot": snapshot, "warnings": []}


def _retry(st, marker):
    """A cell started while an unprotected object was read: its marker waits for the next idle moment (unless a
    newer change of the same name replaced it)."""
    with st.lock:
        entry = st.snap_cache.get(marker["name"])
        if entry is not None and entry.get("marker") is marker and marker["name"] not in st.deferred:
            st.deferred[marker["name"]] = marker
            st.wake.set()
    return None


def _finished_background(warnings):
    """(columnStats records, late snapshots, superseded executions) since the previous delta."""
    st = _state
    with st.lock:
        done, st.stats_done = st.stats_done, []
        superseded, st.superseded = st.superseded, []
    stats, snapshots = [], []
    for result in done:
        warnings.extend(result["warnings"])
        if result["type"] == "file":
            if result.get("snapshot") is not None:
                snapshots.append(result["snapshot"])
            continue
        if result["type"] == "exact":
            _exact_done(st, result, snapshots)
            continue
        entry = st.snap_cache.get(result["name"])
        if result["type"] == "snapshot":
            if entry is None or entry.get("marker") is not result["marker"]:
                continue  # changed again meanwhile: the newer marker reports it (this one is superseded)
            entry["marker"] = None
            snapshot = result.get("snapshot")
            if "fingerprint" in result and result["fingerprint"] != entry["reported"]:
                entry["reported"] = result["fingerprint"]
                if snapshot is not None:
                    snapshots.append(snapshot)
            continue
        if not result["untouched"] and (entry is None or entry["reported"] != result["fingerprint"]):
            warnings.append("%s: statistics skipped: it changed while they were computed" % result["name"])
            columns = []
        else:
            columns = result["columns"]
        stats.append({"fingerprint": result["fingerprint"], "name": result["name"], "columns": columns})
    return stats, snapshots, superseded


def _wait_for_statistics(timeout=10.0):
    """Blocks until the background thread has finished everything queued (for scripts and tests); False on
    timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _state.lock:
            if _pending_work(_state) == 0:
                return True
        time.sleep(0.002)
    return False


# --------------------------------------------------------------------------------------------------------------
# Files read under the notebook folder
# --------------------------------------------------------------------------------------------------------------


def _file_snapshots(paths, req, warnings, execution_count=None):
    """Snapshots of the files cells opened for reading under the notebook folder; a file not hashed before whose
    hash reads more than _DEFER_BYTES is hashed by the background thread once the kernel is idle (its snapshot comes
    in a later delta with `executionCount`)."""
    if not paths:
        return []
    root = _notebook_dir(req["notebookDir"])
    max_bytes = req["snapshotMaxBytes"]
    snapshots = []
    seen = set()
    for path in paths:
        try:
            full = os.path.realpath(os.path.abspath(path))
            if full in seen:
                continue
            seen.add(full)
            rel = os.path.relpath(full, root)
            if rel.startswith("..") or os.path.isabs(rel) or len(rel) > 1024:
                continue
            stat = os.stat(full)
            import stat as stat_module

            if not stat_module.S_ISREG(stat.st_mode):
                continue
            key = (stat.st_size, stat.st_mtime_ns, stat.st_ino, max_bytes)
            cached = _state.file_cache.get(full)
            name = rel.replace(os.sep, "/")
            if cached is None or cached[0] != key:
                if min(stat.st_size, max_bytes) > _DEFER_BYTES and _queue_job(_state, {
                        "type": "file", "name": name, "path": full, "key": key, "size": stat.st_size,
                        "maxBytes": max_bytes, "executionCount": execution_count}):
                    continue
                cached = (key, _file_fingerprint(full, stat.st_size, max_bytes))
                _state.file_cache[full] = cached
            fingerprint_, sampled = cached[1]
            snapshots.append({"name": name, "kind": "file", "fingerprint": fingerprint_,
                              "sampled": sampled, "shape": [stat.st_size], "columns": []})
        except Exception as exc:
            warnings.append("file %s: cannot fingerprint (%r)" % (path, exc))
    return snapshots


def _file_fingerprint(path, size, max_bytes):
    name, new = _hasher_factory()
    top = new()
    top.update(FINGERPRINT_VERSION + b"\0file\0" + _u64(size))
    sampled = size > max_bytes
    buffer = bytearray(min(size, 4 << 20) or 1)
    view = memoryview(buffer)
    with _original_open()(path, "rb", buffering=0) as handle:
        if not sampled:
            while True:
                count = handle.readinto(buffer)
                if not count:
                    break
                top.update(view[:count])
        else:
            block = max(1, max_bytes // _SAMPLE_BLOCKS)
            top.update(b"sampled" + _u64(block))
            for i in range(_SAMPLE_BLOCKS):
                handle.seek((i * (size - block)) // (_SAMPLE_BLOCKS - 1))
                remaining = block
                while remaining:
                    count = handle.readinto(view[: min(remaining, len(buffer))])
                    if not count:
                        break
                    top.update(view[:count])
                    remaining -= count
    return "%s:%s" % (name, top.hexdigest()), sampled


# --------------------------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------------------------


def _environment(folder):
    """Python, OS, installed distributions and git state of `folder`. No environment variable value is read
    into the record."""
    import platform

    env = {
        "python": ("%s %s" % (platform.python_implementation(), platform.python_version()))[:255],
        "os": platform.platform()[:255],
        "packages": _installed_packages(),
    }
    git = _git_state(folder)
    if git is not None:
        env["git"] = git
    return env


def _installed_packages():
    from importlib import metadata

    packages = {}
    for dist in metadata.distributions():
        try:
            name = dist.metadata["Name"]
            version = dist.version
        except Exception:
            continue
        if name and version and name not in packages:
            packages[str(name)[:255]] = str(version)[:255]
    return dict(sorted(packages.items(), key=lambda kv: kv[0].lower()))


def _git(folder, *args):
    import subprocess

    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    done = subprocess.run(("git",) + args, cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, timeout=_GIT_TIMEOUT_S)
    if done.returncode != 0:
        return None
    return done.stdout


def _git_state(folder):
    try:
        status = _git(folder, "status", "--porcelain=v2", "--branch", "--untracked-files=no")
    except Exception:
        return None
    if status is None:
        return None
    commit = branch = None
    dirty = False
    for line in status.decode("utf-8", "replace").splitlines():
        if line.startswith("# branch.oid "):
            commit = line[len("# branch.oid "):].strip()
        elif line.startswith("# branch.head "):
            branch = line[len("# branch.head "):].strip()
        elif line and not line.startswith("#"):
            dirty = True
    if not commit or commit == "(initial)":
        return None
    state = {"commit": commit[:64], "dirty": dirty}
    if branch and branch != "(detached)":
        state["branch"] = branch[:255]
    if dirty:
        try:
            diff = _git(folder, "diff", "HEAD", "--no-color", "--no-ext-diff")
        except Exception:
            diff = None
        if diff is not None:
            text = _redact_text(diff.decode("utf-8", "replace"))
            if len(text) > _GIT_DIFF_MAX:
                marker = "\n[runtrail: diff truncated at 1 MB]\n"
                text = text[: _GIT_DIFF_MAX - len(marker)] + marker
            state["diff"] = text
    return state
