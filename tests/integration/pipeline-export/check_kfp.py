"""Checks a Kubeflow export with kfp itself (run in the kfp checker venv by pipeline-export.test.ts).

Usage: python check_kfp.py PIPELINE_YAML

kfp's loader parses the pipeline spec into its protobuf messages (unknown fields and wrong types are errors), and
kfp's compiler writes it back out; the two must be the same document. Prints JSON: the loader's error if any, else
whether the recompiled spec is identical, the pipeline inputs as kfp typed them, and each task's dependencies.
"""
import json
import os
import sys
import tempfile

import yaml
from kfp import compiler, components


def main(path):
    try:
        component = components.load_component_from_file(path)
    except Exception as error:  # the loader's verdict is the result
        print(json.dumps({"error": "%s: %s" % (type(error).__name__, error)}))
        return
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "recompiled.yaml")
        compiler.Compiler().compile(component, out)
        with open(out) as f:
            recompiled = yaml.safe_load(f)
    with open(path) as f:
        original = yaml.safe_load(f)
    # The compiler stamps its own version; everything else must survive the round trip unchanged.
    original.pop("sdkVersion", None)
    recompiled.pop("sdkVersion", None)
    inputs = component.component_spec.inputs or {}
    print(json.dumps({
        "name": component.name,
        "identical": original == recompiled,
        "inputs": {name: {"type": spec.type, "default": spec.default} for name, spec in inputs.items()},
        "tasks": {name: sorted(task.get("dependentTasks", [])) for name, task in recompiled["root"]["dag"]["tasks"].items()},
    }))


main(sys.argv[1])
