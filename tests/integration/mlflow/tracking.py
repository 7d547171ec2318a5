"""Experiments, runs, params, metric history, tags, datasets, artifacts and search through the real MLflow client.

Run by tests/integration/mlflow.test.ts against a runtrail backend (MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN).
Asserts every round trip itself and prints one JSON line with the ids the TypeScript side checks in /api/v1.
"""
import json
import os
import sys
import tempfile

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

client = MlflowClient()
out = {}

# Experiments: create, get, get by name, rename, search, delete, restore.
exp_id = mlflow.create_experiment("it-tracking", tags={"team": "ml"})
exp = client.get_experiment(exp_id)
assert exp.name == "it-tracking" and exp.lifecycle_stage == "active", exp
assert exp.tags.get("team") == "ml", exp.tags
assert client.get_experiment_by_name("it-tracking").experiment_id == exp_id
try:
    mlflow.create_experiment("it-tracking")
    raise AssertionError("a duplicate experiment name was accepted")
except MlflowException as e:
    assert e.error_code == "RESOURCE_ALREADY_EXISTS", e.error_code
other = mlflow.create_experiment("it-other")
client.rename_experiment(other, "it-renamed")
assert client.get_experiment(other).name == "it-renamed"
client.delete_experiment(other)
assert client.get_experiment(other).lifecycle_stage == "deleted"
names = {e.name for e in client.search_experiments()}
assert "it-tracking" in names and "it-renamed" not in names, names
client.restore_experiment(other)
assert "it-renamed" in {e.name for e in client.search_experiments(filter_string="name LIKE 'it-%'")}
try:
    client.get_experiment("no-such-experiment")
    raise AssertionError("a missing experiment was found")
except MlflowException as e:
    assert e.error_code == "RESOURCE_DOES_NOT_EXIST", e.error_code
out["experimentId"] = exp_id

# Runs with params, metric history, tags, a dataset and artifacts.
mlflow.set_experiment("it-tracking")
runs = []
for i, (lr, opt) in enumerate([(0.1, "adam"), (0.01, "sgd"), (0.001, "adam")]):
    with mlflow.start_run(run_name=f"run-{i}") as run:
        mlflow.log_params({"lr": lr, "opt": opt})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1) + i, step=step)
        mlflow.log_metric("acc", 0.5 + 0.2 * i)
        mlflow.set_tag("variant", f"v{i}")
        mlflow.set_tags({"drop": "me"})
        client.delete_tag(run.info.run_id, "drop")
        runs.append(run.info.run_id)
        if i == 0:
            df = pd.DataFrame({"x": [1, 2, 3], "y": [0.5, 0.25, 0.125]})
            dataset = mlflow.data.from_pandas(df, name="train-frame", targets="y")
            mlflow.log_input(dataset, context="training")
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "notes.txt")
                with open(path, "w") as f:
                    f.write("hello from mlflow")
                mlflow.log_artifact(path)
                os.makedirs(os.path.join(tmp, "model"))
                with open(os.path.join(tmp, "model", "MLmodel"), "w") as f:
                    f.write("flavors: {}\n")
                with open(os.path.join(tmp, "model", "weights.bin"), "wb") as f:
                    f.write(bytes(range(256)) * 40)
                mlflow.log_artifacts(os.path.join(tmp, "model"), artifact_path="model")
            mlflow.log_dict({"a": 1}, "config/settings.json")

first = client.get_run(runs[0])
assert first.info.run_name == "run-0" and first.info.status == "FINISHED", first.info
assert first.data.params == {"lr": "0.1", "opt": "adam"}, first.data.params
assert first.data.metrics["loss"] == 0.2 and first.data.metrics["acc"] == 0.5, first.data.metrics
assert first.data.tags["variant"] == "v0" and "drop" not in first.data.tags, first.data.tags
history = client.get_metric_history(runs[0], "loss")
assert [m.step for m in history] == [0, 1, 2, 3, 4], history
assert [round(m.value, 4) for m in history] == [1.0, 0.5, 0.3333, 0.25, 0.2], history
inputs = first.inputs.dataset_inputs
assert len(inputs) == 1 and inputs[0].dataset.name == "train-frame", inputs
assert {t.key: t.value for t in inputs[0].tags}.get("mlflow.data.context") == "training", inputs[0].tags
assert inputs[0].dataset.digest == dataset.digest

# Params are immutable, as in MLflow.
try:
    client.log_param(runs[0], "lr", "0.5")
    raise AssertionError("a changed param was accepted")
except MlflowException as e:
    assert e.error_code == "INVALID_PARAMETER_VALUE", e.error_code

# Artifacts: list and download.
top = sorted((a.path, a.is_dir) for a in client.list_artifacts(runs[0]))
assert top == [("config", True), ("model", True), ("notes.txt", False)], top
assert sorted(a.path for a in client.list_artifacts(runs[0], "model")) == ["model/MLmodel", "model/weights.bin"]
with tempfile.TemporaryDirectory() as tmp:
    local = mlflow.artifacts.download_artifacts(run_id=runs[0], artifact_path="notes.txt", dst_path=tmp)
    assert open(local).read() == "hello from mlflow"
    folder = mlflow.artifacts.download_artifacts(run_id=runs[0], artifact_path="model", dst_path=tmp)
    assert open(os.path.join(folder, "weights.bin"), "rb").read() == bytes(range(256)) * 40
assert mlflow.artifacts.load_dict(f"runs:/{runs[0]}/config/settings.json") == {"a": 1}

# search_runs with a filter and order_by.
found = mlflow.search_runs(
    experiment_ids=[exp_id], filter_string="metrics.acc > 0.6 and params.opt = 'adam'", order_by=["metrics.acc DESC"],
    output_format="list",
)
assert [r.info.run_id for r in found] == [runs[2]], [r.info.run_name for r in found]
ordered = client.search_runs([exp_id], order_by=["params.lr ASC"])
assert [r.info.run_id for r in ordered] == [runs[2], runs[1], runs[0]], [r.data.params for r in ordered]
by_name = client.search_runs([exp_id], filter_string="attributes.run_name = 'run-1'")
assert [r.info.run_id for r in by_name] == [runs[1]]
by_tag = client.search_runs([exp_id], filter_string="tags.variant = 'v2' and attributes.status = 'FINISHED'")
assert [r.info.run_id for r in by_tag] == [runs[2]]
paged = client.search_runs([exp_id], max_results=2, order_by=["attributes.start_time ASC"])
assert len(paged) == 2 and paged.token, paged
rest = client.search_runs([exp_id], max_results=2, order_by=["attributes.start_time ASC"], page_token=paged.token)
assert [r.info.run_id for r in list(paged) + list(rest)] == runs, "pages do not add up"
try:
    client.search_runs([exp_id], filter_string="metrics.acc >>> 1")
    raise AssertionError("a malformed filter was accepted")
except MlflowException as e:
    assert e.error_code == "INVALID_PARAMETER_VALUE", e.error_code

# Delete and restore a run: deleted runs leave the default search.
client.delete_run(runs[1])
assert client.get_run(runs[1]).info.lifecycle_stage == "deleted"
assert runs[1] not in [r.info.run_id for r in client.search_runs([exp_id])]
assert [r.info.run_id for r in client.search_runs([exp_id], run_view_type=2)] == [runs[1]]
client.restore_run(runs[1])
assert runs[1] in [r.info.run_id for r in client.search_runs([exp_id])]

# Runs can be updated and terminated explicitly.
run = client.create_run(exp_id, run_name="manual")
client.log_batch(run.info.run_id, metrics=[mlflow.entities.Metric("m", 1.5, 1000, 3)], params=[mlflow.entities.Param("p", "x")])
client.update_run(run.info.run_id, status="FAILED", name="manual-renamed")
manual = client.get_run(run.info.run_id)
assert manual.info.status == "FAILED" and manual.info.run_name == "manual-renamed" and manual.info.end_time, manual.info
assert manual.data.metrics == {"m": 1.5} and manual.data.params == {"p": "x"}

# Nested runs keep their parent.
with mlflow.start_run(run_name="parent") as parent:
    with mlflow.start_run(run_name="child", nested=True) as child:
        mlflow.log_param("fold", "1")
assert client.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == parent.info.run_id
out["parentRunId"] = parent.info.run_id
out["childRunId"] = child.info.run_id

out["runIds"] = runs
out["manualRunId"] = run.info.run_id
print(json.dumps(out))
