namespace GitOps.Reconciler.Model;

/// <summary>Where replicas may run: Swarm-style constraints (<c>node.labels.zone==a</c>; a Kubernetes nodeSelector becomes one per label) and spread preferences.</summary>
internal sealed record Placement(ValueList<string> Constraints, ValueList<string> Preferences)
{
    public static readonly Placement Anywhere = new(default, default);
}
