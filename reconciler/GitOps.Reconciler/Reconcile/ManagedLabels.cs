namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// Labels on everything the reconciler creates. They are how actual state is read back (no separate
/// inventory that could disagree with the engine) and why a hand-made container is never mistaken for a
/// managed one. The Compose labels make <c>compose ps</c>-style tooling and the engine's service DNS work.
/// </summary>
internal static class ManagedLabels
{
    public const string App = "gitops.app";
    public const string Service = "gitops.service";
    public const string Revision = "gitops.revision";
    public const string SpecHash = "gitops.spec-hash";
    public const string Replica = "gitops.replica";
    /// <summary>Which container of the replica (a Kubernetes pod may have sidecars): the first has none.</summary>
    public const string Part = "gitops.container";
    /// <summary>On a Kubernetes init container of a replica: "init" (runs to completion first) or "sidecar" (restartPolicy Always: starts first, keeps running).</summary>
    public const string Role = "gitops.container-role";
    public const string InitContainer = "init", SidecarContainer = "sidecar", AppContainer = "app";
    public const string Resource = "gitops.resource";
    /// <summary>A secret's or config's content digest as Git has it (never the value): a hand-made change shows as drift.</summary>
    public const string Digest = "gitops.digest";
    /// <summary>On a replica's scratch volume (Kubernetes emptyDir): the replica it lives and dies with.</summary>
    public const string Ephemeral = "gitops.ephemeral";
    /// <summary>On a StatefulSet's per-replica claim: the service it belongs to.</summary>
    /// <summary>On an anonymous volume: the container name (a replica or its sidecar) whose next containers reuse it.</summary>
    public const string AnonymousOf = "gitops.anonymous-of";
    public const string ClaimOf = "gitops.claim-of";
    public const string ComposeVolume = "com.docker.compose.volume";
    public const string ComposeProject = "com.docker.compose.project";
    public const string ComposeService = "com.docker.compose.service";
    public const string ComposeNumber = "com.docker.compose.container-number";
}
