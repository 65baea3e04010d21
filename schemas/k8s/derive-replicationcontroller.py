#!/usr/bin/env python3
"""Derive a ReplicationController (core/v1) schema from the ReplicaSet (apps/v1) one.

The mirror in SOURCES.md has no replicationcontroller-v1.json, yet ReplicationController is the
workload of many real manifests (kubernetes/examples, kubeconform fixtures). Its v1 API differs from
ReplicaSet's only in apiVersion/kind and in `spec.selector`, which is a plain label map (not a
LabelSelector) and is optional (it defaults to the template's labels). Status fields are identical.
Run from this folder: python3 derive-replicationcontroller.py
"""
import json

with open("replicaset-apps-v1.json") as f:
    schema = json.load(f)

schema["description"] = ("ReplicationController represents the configuration of a replication controller. "
                         "(Derived by gitops from replicaset-apps-v1.json, see derive-replicationcontroller.py.)")
schema["x-kubernetes-group-version-kind"] = [{"group": "", "kind": "ReplicationController", "version": "v1"}]
schema["properties"]["apiVersion"]["enum"] = ["v1"]
schema["properties"]["kind"]["enum"] = ["ReplicationController"]
spec = schema["properties"]["spec"]
spec.pop("required", None)
spec["properties"]["selector"] = {
    "description": "Selector is a label query over pods that should match the Replicas count. If Selector is empty, "
                   "it is defaulted to the labels present on the Pod template.",
    "type": ["object", "null"],
    "additionalProperties": {"type": ["string", "null"]},
}

with open("replicationcontroller-v1.derived.json", "w") as f:
    json.dump(schema, f, indent=2)
    f.write("\n")
