"""MLflow-client side of tests/bench/mlflow.bench.mjs: the real MlflowClient against whichever server
MLFLOW_TRACKING_URI names (runtrail or `mlflow server`), so both are driven by the same client code.

Modes (each prints one JSON line on stdout):
  logbatch EXPERIMENT_ID BATCHES   one client: creates a run, prints {"ready": true}, waits for a line on stdin
                                   (so several processes start together), then logs BATCHES log_batch calls of
                                   980 metrics + 10 params + 10 tags (MLflow's limit is 1,000 entities a call)
                                   and prints {"run_id", "ms", "points"}.
  search EXPERIMENT_ID REPEATS [WARMUPS]
                                   times search_runs(filter "metrics.acc > 0.5 and params.model = 'b'",
                                   order_by acc DESC, 100 results) REPEATS times after WARMUPS (3) warm-ups; prints
                                   the latencies and the names of the runs returned (the caller compares servers).
  clone EXPERIMENT_ID FROM TO DB   `mlflow server`'s SQLite file DB: adds runs FROM..TO-1 of the search data as
                                   copies of run-0 as the server stored it (its runs, tags, params, metrics and
                                   latest_metrics rows), with each run's own name, start time, params and metrics.
                                   Loading 100k runs over REST would take MLflow ~30 min here; see docs/benchmarks.md.
"""

import json
import sqlite3
import sys
import time
import uuid

from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

METRIC_KEYS = 20
STEPS_PER_BATCH = 49  # 20 keys x 49 steps = 980 metrics
PARAMS_PER_BATCH = 10
TAGS_PER_BATCH = 10

FILTER = "metrics.acc > 0.5 and params.model = 'b'"
ORDER_BY = ["metrics.acc DESC"]
WARMUPS = 3


def emit(value):
    print(json.dumps(value), flush=True)


def log_batches(experiment_id, batches):
    client = MlflowClient()
    run_id = client.create_run(experiment_id).info.run_id
    emit({"ready": True})
    sys.stdin.readline()
    started = time.perf_counter()
    now = int(time.time() * 1000)
    for b in range(batches):
        metrics = [
            Metric(f"m{k}", float(b * STEPS_PER_BATCH + s) * 0.001 + k, now, b * STEPS_PER_BATCH + s)
            for s in range(STEPS_PER_BATCH)
            for k in range(METRIC_KEYS)
        ]
        params = [Param(f"p{b}_{k}", str(k)) for k in range(PARAMS_PER_BATCH)]
        tags = [RunTag(f"t{k}", f"batch {b}") for k in range(TAGS_PER_BATCH)]
        client.log_batch(run_id, metrics=metrics, params=params, tags=tags)
    ms = (time.perf_counter() - started) * 1000
    emit({"run_id": run_id, "ms": ms, "points": batches * METRIC_KEYS * STEPS_PER_BATCH})


def run_data(i):
    """The same values as runData(i) in mlflow.bench.mjs (shortest round-trip floats print alike in JS and Python)."""
    acc = ((i * 7919) % 100_003) / 100_003
    params = {"model": "abc"[i % 3], "lr": str((1 + (i % 10)) / 1000), "depth": str(2 + (i % 7))}
    metrics = {"acc": acc, "loss": 1 - acc}
    return params, metrics, 1_700_000_000_000 + i


def clone(experiment_id, start, stop, db):
    con = sqlite3.connect(db, timeout=60)
    con.row_factory = sqlite3.Row
    template = con.execute(
        "SELECT * FROM runs WHERE experiment_id = ? AND name = 'run-0'", (int(experiment_id),)
    ).fetchone()
    if template is None:
        raise SystemExit("clone: run-0 (loaded over REST first) is missing")
    columns = template.keys()
    tags = con.execute("SELECT key, value FROM tags WHERE run_uuid = ?", (template["run_uuid"],)).fetchall()
    runs, tag_rows, param_rows, metric_rows = [], [], [], []
    for i in range(start, stop):
        run_id = uuid.uuid4().hex
        params, metrics, at = run_data(i)
        row = dict(template)
        row.update(run_uuid=run_id, name=f"run-{i}", start_time=at)
        if row.get("artifact_uri"):
            row["artifact_uri"] = row["artifact_uri"].replace(template["run_uuid"], run_id)
        runs.append(tuple(row[c] for c in columns))
        for t in tags:
            tag_rows.append((t["key"], f"run-{i}" if t["key"] == "mlflow.runName" else t["value"], run_id))
        param_rows.extend((k, v, run_id) for k, v in params.items())
        metric_rows.extend((k, v, at, 0, 0, run_id) for k, v in metrics.items())
    with con:
        con.executemany(f"INSERT INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", runs)
        con.executemany("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)", tag_rows)
        con.executemany("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)", param_rows)
        for table in ("metrics", "latest_metrics"):
            con.executemany(
                f"INSERT INTO {table} (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)",
                metric_rows,
            )
    con.close()
    emit({"cloned": stop - start})


def search(experiment_id, repeats, warmups=WARMUPS):
    client = MlflowClient()

    def once():
        return client.search_runs([experiment_id], filter_string=FILTER, order_by=ORDER_BY, max_results=100)

    for _ in range(warmups):
        runs = once()
    latencies = []
    for _ in range(repeats):
        started = time.perf_counter()
        runs = once()
        latencies.append((time.perf_counter() - started) * 1000)
    for run in runs:
        if run.data.params.get("model") != "b" or not run.data.metrics.get("acc", 0) > 0.5:
            raise SystemExit(f"search returned a run outside the filter: {run.info.run_name} {run.data}")
    accs = [run.data.metrics["acc"] for run in runs]
    if accs != sorted(accs, reverse=True):
        raise SystemExit("search results are not sorted by metrics.acc DESC")
    emit({"ms": latencies, "names": [run.info.run_name for run in runs]})


def main():
    mode, experiment_id, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "logbatch":
        log_batches(experiment_id, count)
    elif mode == "search":
        search(experiment_id, count, *(int(a) for a in sys.argv[4:5]))
    elif mode == "clone":
        clone(experiment_id, count, int(sys.argv[4]), sys.argv[5])
    else:
        raise SystemExit(f"unknown mode {mode!r}: use logbatch, search or clone")


if __name__ == "__main__":
    main()
