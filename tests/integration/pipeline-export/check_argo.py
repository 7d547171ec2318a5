"""Checks an Argo export against Argo's published schema (run in the hera checker venv by pipeline-export.test.ts).

Usage: python check_argo.py WORKFLOW_YAML

hera's `Workflow` model is generated from Argo's published OpenAPI schema. Its models ignore unknown fields, so
the check is a round trip: the document is validated into the model and dumped back, and every field that was
dropped (unknown to the schema) or changed is reported. Then the references a schema cannot see, which
`argo lint` checks: the entrypoint and task templates exist, dependencies name tasks, every template input is
supplied, `{{tasks.T.outputs.artifacts.A}}` names a dependency's declared output, and `{{inputs.parameters.P}}`
and `{{workflow.parameters.P}}` are declared. Prints JSON {"problems": [...], "tasks": {name: dependencies}}.
"""
import json
import re
import sys

import yaml
from hera.workflows.models import Workflow
from pydantic import ValidationError


def differences(a, b, path="$"):
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in b:
                out.append("%s.%s is not in Argo's schema" % (path, key))
            elif key not in a:
                out.append("%s.%s was added by the schema" % (path, key))
            else:
                out += differences(a[key], b[key], "%s.%s" % (path, key))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, "%s[%d]" % (path, i))
    elif a != b:
        out.append("%s: %r became %r" % (path, a, b))
    return out


def references(doc):
    problems = []
    spec = doc["spec"]
    templates = {t["name"]: t for t in spec["templates"]}
    workflow_params = {p["name"] for p in spec.get("arguments", {}).get("parameters", [])}
    if spec["entrypoint"] not in templates:
        problems.append("entrypoint %s is not a template" % spec["entrypoint"])
        return problems, {}
    tasks = {t["name"]: t for t in templates[spec["entrypoint"]]["dag"]["tasks"]}
    for name, task in tasks.items():
        template = templates.get(task["template"])
        if template is None:
            problems.append("task %s: no template %s" % (name, task["template"]))
            continue
        deps = task.get("dependencies", [])
        for dep in deps:
            if dep not in tasks:
                problems.append("task %s: dependency %s is not a task" % (name, dep))
        args = task.get("arguments", {})
        given = {p["name"]: p.get("value", "") for p in args.get("parameters", [])}
        artifacts = {a["name"]: a.get("from", "") for a in args.get("artifacts", [])}
        for p in template.get("inputs", {}).get("parameters", []):
            if p["name"] not in given:
                problems.append("task %s: input parameter %s is not supplied" % (name, p["name"]))
        for a in template.get("inputs", {}).get("artifacts", []):
            if a["name"] not in artifacts:
                problems.append("task %s: input artifact %s is not supplied" % (name, a["name"]))
        for value in given.values():
            for ref in re.findall(r"\{\{workflow\.parameters\.([^}]+)\}\}", value):
                if ref not in workflow_params:
                    problems.append("task %s: workflow parameter %s is not declared" % (name, ref))
        for source in artifacts.values():
            match = re.fullmatch(r"\{\{tasks\.([^.}]+)\.outputs\.artifacts\.([^}]+)\}\}", source)
            if not match:
                problems.append("task %s: artifact source %s is not a task output" % (name, source))
                continue
            producer, output = match.groups()
            if producer not in deps:
                problems.append("task %s: reads %s without depending on it" % (name, producer))
            produced = templates.get(tasks.get(producer, {}).get("template"), {}).get("outputs", {}).get("artifacts", [])
            if output not in {o["name"] for o in produced}:
                problems.append("task %s: %s declares no output artifact %s" % (name, producer, output))
        declared = {p["name"] for p in template.get("inputs", {}).get("parameters", [])}
        for arg in template.get("container", {}).get("args", []):
            for ref in re.findall(r"\{\{inputs\.parameters\.([^}]+)\}\}", arg):
                if ref not in declared:
                    problems.append("template %s: parameter %s is not an input" % (template["name"], ref))
    return problems, {name: sorted(task.get("dependencies", [])) for name, task in tasks.items()}


def main(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    try:
        model = Workflow.model_validate(doc)
    except ValidationError as error:
        print(json.dumps({"problems": ["schema: " + line for line in str(error).splitlines()[:6]], "tasks": {}}))
        return
    problems = differences(doc, model.model_dump(by_alias=True, exclude_none=True, mode="json"))
    more, tasks = references(doc)
    print(json.dumps({"problems": problems + more, "tasks": tasks}))


main(sys.argv[1])
