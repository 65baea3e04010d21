namespace GitOps.Cluster.Scheduling;

/// <summary>A slot whose data (a local named volume, a StatefulSet claim) lives on one node: it may only run there.</summary>
internal sealed record DataBinding(string NodeId, string Volume);
