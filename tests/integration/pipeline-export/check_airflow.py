"""Imports an Airflow export the way the scheduler does (run in the Airflow checker venv by pipeline-export.test.ts).

Usage: AIRFLOW_HOME=... python check_airflow.py DAG_FILE

Prints JSON: the DagBag's import errors, and per DAG its params and each task's upstream task ids.
"""
import json
import sys

try:
    from airflow.dag_processing.dagbag import DagBag  # Airflow 3
except ImportError:
    from airflow.models.dagbag import DagBag  # Airflow 2


def main(path):
    bag = DagBag(dag_folder=path)
    dags = dict()
    for dag_id, dag in bag.dags.items():
        dags[dag_id] = {
            "params": {name: dag.params[name] for name in dag.params},
            "tasks": {task.task_id: sorted(task.upstream_task_ids) for task in dag.tasks},
            "operators": sorted({type(task).__name__ for task in dag.tasks}),
        }
    print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": dags}))


main(sys.argv[1])
