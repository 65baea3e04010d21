namespace GitOps.Reconciler.Model;

/// <summary>Which network namespace replicas use; <see cref="Target"/> names the service or container for those kinds.</summary>
internal sealed record NetworkMode(NetworkModeKind Kind, string? Target)
{
    public static readonly NetworkMode Default = new(NetworkModeKind.Default, null);
}
