namespace GitOps.Cluster.Scheduling;

/// <summary>One reason nodes were unsuitable and on how many: the parts of "no suitable node (...)".</summary>
internal sealed record ReasonCount(string Text, int Nodes);
