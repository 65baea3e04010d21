namespace GitOps.Reconciler.Model;

/// <summary>
/// Privileges of a container; capabilities are upper-case without the CAP_ prefix and sorted. <see cref="SecurityOpt"/>
/// holds Docker's --security-opt values ("seccomp=unconfined", "seccomp=PROFILE-JSON", "apparmor=…", "label=…",
/// "no-new-privileges:true", "systempaths=unconfined"); a Compose seccomp profile file is read at load time, so
/// an edited profile changes the spec.
/// </summary>
internal sealed record SecurityOptions(bool Privileged, bool ReadOnlyRootFilesystem, ValueList<string> CapAdd, ValueList<string> CapDrop, ValueList<string> SecurityOpt)
{
    public static readonly SecurityOptions Default = new(false, false, default, default, default);

    /// <summary>Host devices mapped into the container, in written order.</summary>
    public ValueList<Device> Devices { get; init; }
}
