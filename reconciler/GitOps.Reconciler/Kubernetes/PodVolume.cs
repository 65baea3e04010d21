using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>A pod-level volume by name, as the container's volumeMounts refer to it.</summary>
internal sealed record PodVolume(string Name, string Kind, YMapping Source, YNode Node);
