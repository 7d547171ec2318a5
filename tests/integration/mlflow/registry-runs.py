"""Prints the runs of the `it-registry` experiment (oldest first) as the MLflow client sees them."""
import json

from mlflow import MlflowClient

client = MlflowClient()
experiment = client.get_experiment_by_name("it-registry")
runs = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"])
print(json.dumps({"runIds": [r.info.run_id for r in runs]}))
