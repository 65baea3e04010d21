#!/usr/bin/env python3
"""Extract the JSON Schemas of Argo Rollouts' Rollout and AnalysisTemplate from their CRDs.

Input: the CRDs of argoproj/argo-rollouts (manifests/crds/, Apache-2.0), as copied into the project's corpus
(../../../shared/corpora/rollouts/crds, or pass the folder as the first argument). Output, next to this script:
rollout-argoproj-v1alpha1.json and analysistemplate-argoproj-v1alpha1.json, in the shape of the Kubernetes
schemas under ../k8s (kubeconform's "standalone-strict"):

* spec.versions[v1alpha1].schema.openAPIV3Schema, descriptions removed (they are never shown, and the pod template
  alone carries 230 KB of them);
* strict: every object with `properties` gets `additionalProperties: false` unless it is marked
  `x-kubernetes-preserve-unknown-fields` (as openapi2jsonschema --strict does), so a misspelt field is an error;
* optional fields also accept null (YAML `pause:` with nothing after it), as the ../k8s schemas do;
* apiVersion and kind are pinned (kind: AnalysisTemplate or ClusterAnalysisTemplate, which Argo Rollouts declares with
  the same spec schema);
* metadata is the ObjectMeta schema of ../k8s/deployment-apps-v1.json (the CRDs only say `type: object`).

Also written: x-rollout.schema.json and x-analysis-templates.schema.json, the Compose extensions, cut from the two.

Run from this folder: python3 extract-crd-schemas.py [CRD_FOLDER]
"""
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "..", "shared", "corpora", "rollouts", "crds")


def strict(node):
    if isinstance(node, list):
        return [strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "description":
            continue
        if key == "properties":
            out[key] = {name: strict(child) for name, child in value.items()}
        else:
            out[key] = strict(value)
    if "properties" in out:
        if "additionalProperties" not in out and not out.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
        required = set(out.get("required", []))
        for name, child in out["properties"].items():
            if name not in required:
                allow_null(child)
    return out


def allow_null(schema):
    t = schema.get("type")
    if isinstance(t, str):
        schema["type"] = [t, "null"]
    elif t is None and "anyOf" in schema and not any(b.get("type") == "null" for b in schema["anyOf"]):
        schema["anyOf"] = schema["anyOf"] + [{"type": "null"}]


def extract(crd_file, kinds, output):
    with open(os.path.join(SOURCE, crd_file)) as f:
        crd = yaml.safe_load(f)
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1")
    schema = strict(version["schema"]["openAPIV3Schema"])
    with open(os.path.join(HERE, "..", "k8s", "deployment-apps-v1.json")) as f:
        schema["properties"]["metadata"] = json.load(f)["properties"]["metadata"]
    schema["properties"]["apiVersion"] = {"type": "string", "enum": ["argoproj.io/v1alpha1"]}
    schema["properties"]["kind"] = {"type": "string", "enum": kinds}
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "spec"})
    schema["$schema"] = "http://json-schema.org/schema#"
    schema["x-kubernetes-group-version-kind"] = [{"group": "argoproj.io", "kind": k, "version": "v1alpha1"} for k in kinds]
    with open(os.path.join(HERE, output), "w") as f:
        json.dump(schema, f, indent=1, sort_keys=True)
        f.write("\n")


extract("rollout-crd.yaml", ["Rollout"], "rollout-argoproj-v1alpha1.json")
extract("analysis-template-crd.yaml", ["AnalysisTemplate", "ClusterAnalysisTemplate"], "analysistemplate-argoproj-v1alpha1.json")


def compose_extension():
    """x-rollout (on a Compose/stack service) and x-analysis-templates (top level): Argo's vocabulary, cut from the
    schemas just written, so a field means the same thing in a Rollout and in a Compose file."""
    with open(os.path.join(HERE, "rollout-argoproj-v1alpha1.json")) as f:
        rollout = json.load(f)
    with open(os.path.join(HERE, "analysistemplate-argoproj-v1alpha1.json")) as f:
        template = json.load(f)
    spec = rollout["properties"]["spec"]["properties"]
    canary = spec["strategy"]["properties"]["canary"]["properties"]
    blue_green = spec["strategy"]["properties"]["blueGreen"]["properties"]
    template_spec = template["properties"]["spec"]
    metric = template_spec["properties"]["metrics"]["items"]
    # gitops' router metrics, written as a provider of its own in Compose (in a Rollout: plugin "gitops/router").
    metric["properties"]["provider"]["properties"]["router"] = {
        "type": "object", "additionalProperties": False, "required": ["metric"],
        "properties": {
            "metric": {"type": "string", "enum": ["successRate", "errorRate", "latencyP50", "latencyP95", "latencyP99", "requestCount"]},
            "window": {"type": ["string", "null"]},
            "version": {"type": ["string", "null"], "enum": ["stable", "latest", "canary", None]},
        },
    }
    # One copy of the metric schema (its job provider carries a whole pod template), referenced wherever metrics go.
    metrics = {"type": ["array", "null"], "items": {"$ref": "#/definitions/metric"}}

    def with_metrics(analysis):
        analysis = json.loads(json.dumps(analysis))
        analysis["properties"]["metrics"] = metrics
        analysis["properties"].pop("analysisRunMetadata", None)
        return analysis

    steps = json.loads(json.dumps(canary["steps"]))
    step = steps["items"]["properties"]
    step["analysis"] = with_metrics(step["analysis"])
    for unsupported in ("experiment", "plugin", "setMirrorRoute"):
        step.pop(unsupported, None)
    seconds = {"type": ["integer", "null"], "minimum": 0}
    schema = {
        "$schema": "http://json-schema.org/schema#",
        "type": "object", "additionalProperties": False, "required": ["strategy"],
        "patternProperties": {"^x-": {}},
        "properties": {
            "strategy": {"type": "string", "enum": ["canary", "blue-green"]},
            "protocol": {"type": ["string", "null"], "enum": ["http", "tcp", "udp", None]},
            "paused": {"type": ["boolean", "null"]},
            "progressDeadlineSeconds": seconds,
            "progressDeadlineAbort": {"type": ["boolean", "null"]},
            "steps": steps,
            "analysis": with_metrics(canary["analysis"]),
            "maxSurge": canary["maxSurge"],
            "maxUnavailable": canary["maxUnavailable"],
            "scaleDownDelaySeconds": seconds,
            "abortScaleDownDelaySeconds": seconds,
            "dynamicStableScale": {"type": ["boolean", "null"]},
            "minPodsPerReplicaSet": seconds,
            "previewPort": {"anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 65535},
                {"type": "object", "additionalProperties": False, "required": ["published"], "properties": {
                    "published": {"type": "integer", "minimum": 1, "maximum": 65535},
                    "target": {"type": ["integer", "null"], "minimum": 1, "maximum": 65535}}},
                {"type": "null"}]},
            "previewReplicaCount": blue_green["previewReplicaCount"],
            "autoPromotionEnabled": blue_green["autoPromotionEnabled"],
            "autoPromotionSeconds": blue_green["autoPromotionSeconds"],
            "prePromotionAnalysis": with_metrics(blue_green["prePromotionAnalysis"]),
            "postPromotionAnalysis": with_metrics(blue_green["postPromotionAnalysis"]),
        },
        "definitions": {
            "metric": metric,
            "analysisTemplates": {
                "type": "object",
                "additionalProperties": {
                    "type": "object", "additionalProperties": False, "required": ["metrics"],
                    "properties": {"args": template_spec["properties"]["args"], "metrics": metrics,
                                   "dryRun": template_spec["properties"]["dryRun"]},
                },
            },
        },
    }
    with open(os.path.join(HERE, "x-rollout.schema.json"), "w") as f:
        json.dump(schema, f, indent=1, sort_keys=True)
        f.write("\n")
    templates = dict(schema["definitions"]["analysisTemplates"])
    templates["$schema"] = schema["$schema"]
    templates["definitions"] = {"metric": metric}
    with open(os.path.join(HERE, "x-analysis-templates.schema.json"), "w") as f:
        json.dump(templates, f, indent=1, sort_keys=True)
        f.write("\n")


compose_extension()
