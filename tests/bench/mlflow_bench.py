"""MLflow-client side of tests/bench/mlflow.bench.mjs: the real MlflowClient against whichever server
MLFLOW_TRACKING_URI names (runtrail or `mlflow server`), so both are driven by the same client code.

Modes (each prints one JSON line on stdout):
  logbatch EXPERIMENT_ID BATCHES   one client: creates a run, prints {"ready": true}, waits for a line on stdin
                                   (so several processes start together), then logs BATCHES log_batch calls of
                                   980 metrics + 10 params + 10 tags (MLflow's limit is 1,000 entities a call)
                                   and prints {"run_id", "ms", "points"}.
  search EXPERIMENT_ID REPEATS     times search_runs(filter "metrics.acc > 0.5 and params.model = 'b'",
                                   order_by acc DESC, 100 results) REPEATS times after 3 warm-ups; prints the
                                   latencies and the names of the runs returned (the caller compares servers).
"""

import json
import sys
import time

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


def search(experiment_id, repeats):
    client = MlflowClient()

    def once():
        return client.search_runs([experiment_id], filter_string=FILTER, order_by=ORDER_BY, max_results=100)

    for _ in range(WARMUPS):
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
        search(experiment_id, count)
    else:
        raise SystemExit(f"unknown mode {mode!r}: use logbatch or search")


if __name__ == "__main__":
    main()
