namespace GitOps.Reconciler.Model;

/// <summary>A resource limit (setrlimit); a single number in Compose sets both soft and hard.</summary>
internal sealed record Ulimit(long Soft, long Hard);
