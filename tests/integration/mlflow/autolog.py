"""`mlflow.sklearn.autolog()` on a small model: params, metrics, tags, the training dataset, artifacts and the model land.

Run by tests/integration/mlflow.test.ts; prints one JSON line with the run id, which the TypeScript side then
reads back through runtrail's own /api/v1 API.
"""
import json

import mlflow
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

mlflow.set_experiment("it-autolog")
mlflow.sklearn.autolog()
X, y = load_iris(return_X_y=True, as_frame=True)
with mlflow.start_run(run_name="iris") as run:
    clf = LogisticRegression(max_iter=200, C=0.5).fit(X, y)

got = MlflowClient().get_run(run.info.run_id)
assert got.data.params["C"] == "0.5" and got.data.params["max_iter"] == "200", got.data.params
assert 0.8 < got.data.metrics["training_accuracy_score"] <= 1.0, got.data.metrics
assert got.data.tags["estimator_name"] == "LogisticRegression", got.data.tags
assert [d.dataset.name for d in got.inputs.dataset_inputs], got.inputs
artifacts = [a.path for a in MlflowClient().list_artifacts(run.info.run_id)]
assert "estimator.html" in artifacts and "model" in artifacts, artifacts
model_files = [a.path for a in MlflowClient().list_artifacts(run.info.run_id, "model")]
assert "model/MLmodel" in model_files, model_files

# The autologged model loads back from the run and from the registry, and predicts the same.
loaded = mlflow.sklearn.load_model(f"runs:/{run.info.run_id}/model")
assert (loaded.predict(X) == clf.predict(X)).all()
version = mlflow.register_model(f"runs:/{run.info.run_id}/model", "iris-autolog")
from_registry = mlflow.sklearn.load_model(f"models:/iris-autolog/{version.version}")
assert (from_registry.predict(X) == clf.predict(X)).all()
print(json.dumps({"runId": run.info.run_id, "artifacts": artifacts, "params": got.data.params, "metrics": got.data.metrics}))
