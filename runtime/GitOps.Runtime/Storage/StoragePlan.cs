using GitOps.Runtime.Init;
using GitOps.Runtime.Secrets;
using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.Storage;

/// <summary>What a new container mounts and reads, resolved and validated at create; stored in its config.</summary>
public sealed record StoragePlan(
    IReadOnlyList<MountPoint> Mounts,
    IReadOnlyList<SecretReference> Secrets,
    IReadOnlyList<SecretReference> Configs,
    IReadOnlyList<SecretEnv> SecretEnv,
    IReadOnlyList<SecretEnvFrom> SecretEnvFrom);

/// <summary>
/// What one start of a container gets: mounts for container-init, secret files (values, in memory
/// only), the staging directory they are assembled on, and the environment with secret values.
/// </summary>
public sealed record PreparedStorage(
    IReadOnlyList<MountSpec> Mounts,
    IReadOnlyList<SecretMountSpec> SecretMounts,
    string? SecretStaging,
    IReadOnlyList<string> Env)
{
    public override string ToString() => $"PreparedStorage {{ Mounts = {Mounts.Count}, SecretMounts = {SecretMounts.Count} }}";
}
