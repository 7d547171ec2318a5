"""Registered models, versions, aliases, stages and tags through the real MLflow client.

Run by tests/integration/mlflow.test.ts; prints one JSON line with the model name and source run, which the
TypeScript side checks in runtrail's registry API (versions, lineage, audit log).
"""
import json
import os
import pickle
import tempfile

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

client = MlflowClient()
mlflow.set_experiment("it-registry")
run_ids = []
for i in range(2):
    with mlflow.start_run(run_name=f"train-{i}") as run:
        mlflow.log_param("depth", i + 3)
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "MLmodel"), "w") as f:
                f.write("flavors:\n  python_function: {}\n")
            with open(os.path.join(tmp, "model.pkl"), "wb") as f:
                pickle.dump({"depth": i + 3}, f)
            mlflow.log_artifacts(tmp, artifact_path="model")
        run_ids.append(run.info.run_id)

name = "it-classifier"
created = client.create_registered_model(name, tags={"owner": "it"}, description="first")
assert created.name == name
try:
    client.create_registered_model(name)
    raise AssertionError("a duplicate registered model was accepted")
except MlflowException as e:
    assert e.error_code == "RESOURCE_ALREADY_EXISTS", e.error_code

v1 = mlflow.register_model(f"runs:/{run_ids[0]}/model", name)
v2 = mlflow.register_model(f"runs:/{run_ids[1]}/model", name, tags={"quality": "good"})
assert (v1.version, v2.version) == ("1", "2"), (v1.version, v2.version)
assert v1.run_id == run_ids[0] and v1.source.endswith(f"{run_ids[0]}/artifacts/model"), v1.source
try:
    client.create_model_version(name, f"runs:/{run_ids[0]}/missing", run_ids[0])
    raise AssertionError("a version without artifacts was accepted")
except MlflowException as e:
    assert e.error_code == "INVALID_PARAMETER_VALUE", e.error_code

# Aliases: set, move, resolve, delete.
client.set_registered_model_alias(name, "champion", "1")
client.set_registered_model_alias(name, "champion", "2")
client.set_registered_model_alias(name, "challenger", "1")
assert client.get_model_version_by_alias(name, "champion").version == "2"
model = client.get_registered_model(name)
assert model.aliases == {"champion": "2", "challenger": "1"}, model.aliases
assert model.tags == {"owner": "it"} and model.description == "first", (model.tags, model.description)
client.delete_registered_model_alias(name, "challenger")
assert client.get_registered_model(name).aliases == {"champion": "2"}
try:
    client.get_model_version_by_alias(name, "challenger")
    raise AssertionError("a deleted alias resolved")
except MlflowException as e:
    assert e.error_code == "RESOURCE_DOES_NOT_EXIST", e.error_code

# The model downloads through its registry URI (alias and version).
with tempfile.TemporaryDirectory() as tmp:
    local = mlflow.artifacts.download_artifacts(f"models:/{name}@champion", dst_path=tmp)
    with open(os.path.join(local, "model.pkl"), "rb") as f:
        assert pickle.load(f) == {"depth": 4}

# Stages, tags, descriptions, search.
client.transition_model_version_stage(name, "1", "Production")
client.transition_model_version_stage(name, "2", "Production", archive_existing_versions=True)
assert client.get_model_version(name, "1").current_stage == "Archived"
assert client.get_model_version(name, "2").current_stage == "Production"
assert [v.version for v in client.get_latest_versions(name, stages=["Production"])] == ["2"]
client.set_model_version_tag(name, "1", "note", "baseline")
client.update_model_version(name, "1", description="the baseline")
v = client.get_model_version(name, "1")
assert v.tags == {"note": "baseline"} and v.description == "the baseline", (v.tags, v.description)
client.update_registered_model(name, description="second")
client.set_registered_model_tag(name, "stage", "beta")
client.delete_registered_model_tag(name, "owner")
model = client.get_registered_model(name)
assert model.description == "second" and model.tags == {"stage": "beta"}, (model.description, model.tags)
assert [m.name for m in client.search_registered_models(filter_string="name LIKE 'it-%'")] == [name]
assert sorted(v.version for v in client.search_model_versions(f"name = '{name}'")) == ["1", "2"]
assert [v.version for v in client.search_model_versions(f"run_id = '{run_ids[0]}'")] == ["1"]

# A second model to delete permanently; versions of the first one can be deleted, numbers are not reused.
client.create_registered_model("it-scratch")
client.create_model_version("it-scratch", f"runs:/{run_ids[0]}/model", run_ids[0])
client.delete_registered_model("it-scratch")
try:
    client.get_registered_model("it-scratch")
    raise AssertionError("a deleted model was found")
except MlflowException as e:
    assert e.error_code == "RESOURCE_DOES_NOT_EXIST", e.error_code
v3 = client.create_model_version(name, f"runs:/{run_ids[0]}/model", run_ids[0])
client.delete_model_version(name, v3.version)
v4 = client.create_model_version(name, f"runs:/{run_ids[1]}/model", run_ids[1])
assert (v3.version, v4.version) == ("3", "4"), (v3.version, v4.version)

print(json.dumps({"model": name, "runIds": run_ids}))
