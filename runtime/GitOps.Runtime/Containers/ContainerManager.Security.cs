using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Security;

namespace GitOps.Runtime.Containers;

/// <summary>What a container process runs with: the same for its first process and every exec session.</summary>
/// <param name="SessionKeyring">runc's "_ses.ID": the container's own session keyring.</param>
public sealed record ProcessSecurity(ulong Capabilities, bool NoNewPrivileges, SeccompProgram? Seccomp, string SessionKeyring);

/// <summary>The namespaces a container's first process joins (descriptors, owned) or gets new, decided at each start.</summary>
public sealed class LaunchNamespaces : IDisposable
{
    public SafeFd? JoinNet { get; init; }
    public SafeFd? JoinPid { get; init; }
    public SafeFd? JoinIpc { get; init; }
    public bool NewPid { get; init; } = true;
    public bool NewIpc { get; init; } = true;

    public void Dispose()
    {
        JoinNet?.Dispose();
        JoinPid?.Dispose();
        JoinIpc?.Dispose();
    }
}

/// <summary>
/// Privileged, PID and IPC modes, devices, capabilities and seccomp: checked at create (every
/// mistake a 400 naming the field), turned into the helper's spec at each start and exec.
/// </summary>
public sealed partial class ContainerManager
{
    /// <summary>
    /// Create-time checks of the security fields; returns the HostConfig as stored, with Docker's
    /// normalisations (IpcMode "private" when unset, a device's container path and permissions filled in).
    /// The seccomp profile is compiled here, so a bad profile fails the create, not a later start.
    /// </summary>
    HostConfig ValidateSecurity(HostConfig h)
    {
        CapabilitySet.Validate(h);
        var options = SecurityOptions.Parse(h.SecurityOpt);
        var pid = NamespaceMode.ParsePid(h.PidMode);
        var ipc = NamespaceMode.ParseIpc(h.IpcMode);
        if (pid.Container is { } pidDonor) Donor(pidDonor, "PID", h.PidMode);
        if (ipc.Container is { } ipcDonor)
        {
            var donor = Donor(ipcDonor, "IPC", h.IpcMode);
            if (NamespaceMode.ParseIpc(donor.Config.HostConfig.IpcMode).Share is not (NamespaceShare.Shareable or NamespaceShare.Host))
                throw new InvalidArgumentException($"invalid IPC mode \"{h.IpcMode}\": container {ipcDonor}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)");
        }
        var devices = h.Devices.Select(d =>
        {
            var normalized = d with
            {
                PathInContainer = d.PathInContainer is { Length: > 0 } c ? c : d.PathOnHost,
                CgroupPermissions = d.CgroupPermissions is { Length: > 0 } p ? p : "rwm",
            };
            HostDevices.Resolve(normalized);
            return normalized;
        }).ToList();
        SeccompCompiler.For(options, h.Privileged, CapabilitySet.Of(h));
        return h with { IpcMode = h.IpcMode is null or "" ? "private" : h.IpcMode, Devices = devices };
    }

    Container Donor(string name, string what, string mode) =>
        Find(name) ?? throw new InvalidArgumentException($"invalid {what} mode \"{mode}\": no such container: {name}");

    /// <summary>
    /// Capabilities (Docker's tweak rules; all with --privileged or exec --privileged), no_new_privs
    /// (on unless no-new-privileges=false), the seccomp filter compiled for the container's own
    /// capabilities (cached), and its session keyring. Exec sessions get exactly this, as runc's
    /// setns path applies the container's config.
    /// </summary>
    internal static ProcessSecurity SecurityOf(ContainerConfig config, bool privilegedExec = false)
    {
        var h = config.HostConfig;
        var options = SecurityOptions.Parse(h.SecurityOpt);
        var caps = CapabilitySet.Of(h);
        return new ProcessSecurity(
            privilegedExec ? CapabilitySet.All : caps,
            options.NoNewPrivileges ?? true,
            SeccompCompiler.For(options, h.Privileged, caps),
            "_ses." + config.Id);
    }

    /// <summary>The spec's security part for the container's first process.</summary>
    InitSpec WithSecurity(InitSpec spec, Container c)
    {
        var config = c.Config;
        var h = config.HostConfig;
        var security = SecurityOf(config);
        var options = SecurityOptions.Parse(h.SecurityOpt);
        spec.Process.Capabilities = security.Capabilities;
        spec.Process.NoNewPrivileges = security.NoNewPrivileges;
        spec.Process.Seccomp = security.Seccomp;
        spec.Process.SessionKeyring = security.SessionKeyring;
        spec.Devices = DevicesOf(h);
        // Docker's --privileged: nothing masked, nothing read-only, /sys and the cgroups writable.
        if (h.Privileged)
        {
            spec.MaskedPaths = [];
            spec.ReadonlyPaths = [];
            spec.SysfsWritable = true;
        }
        spec.CgroupsWritable = h.Privileged || options.WritableCgroups;
        var ipc = NamespaceMode.ParseIpc(h.IpcMode);
        (spec.Shm, spec.ShmPath) = ipc.Share switch
        {
            NamespaceShare.Host => (ShmSource.Bind, "/dev/shm"),
            NamespaceShare.Shareable => (ShmSource.Bind, c.Files.Shm),
            NamespaceShare.Container => (ShmSource.Bind, ShmOf(Get(ipc.Container!))),
            NamespaceShare.None => (ShmSource.None, null),
            _ => (ShmSource.Private, null),
        };
        return spec;
    }

    /// <summary>The /dev/shm an IPC donor shares: the host's, or the tmpfs mounted for it while it runs.</summary>
    static string ShmOf(Container donor) =>
        NamespaceMode.ParseIpc(donor.Config.HostConfig.IpcMode).Share == NamespaceShare.Host ? "/dev/shm" : donor.Files.Shm;

    /// <summary>
    /// --device nodes, looked up again at each start (a device can come and go with the hardware);
    /// with --privileged every host device, plus mappings to another container path (Docker's rules).
    /// </summary>
    static IReadOnlyList<DeviceSpec> DevicesOf(HostConfig h)
    {
        var list = new List<DeviceSpec>();
        if (h.Privileged) list.AddRange(HostDevices.All());
        foreach (var m in h.Devices)
        {
            if (h.Privileged && (m.PathInContainer is null or "" || m.PathInContainer == m.PathOnHost)) continue;
            list.AddRange(HostDevices.Resolve(m).Select(d => h.Privileged ? d with { Permissions = "rwm" } : d));
        }
        return list;
    }

    /// <summary>
    /// What a start needs before the launch: descriptors of the namespaces to join (--network
    /// container:X's, opened by the caller; --pid and --ipc container:X's), and for a shareable
    /// container its /dev/shm tmpfs on the host, which it and the containers joining its IPC
    /// namespace bind (Docker's way: a mount cannot be bound from one mount namespace into another).
    /// </summary>
    LaunchNamespaces OpenNamespaces(Container c, SafeFd? joinNet)
    {
        var h = c.Config.HostConfig;
        var pid = NamespaceMode.ParsePid(h.PidMode);
        var ipc = NamespaceMode.ParseIpc(h.IpcMode);
        SafeFd? joinPid = null, joinIpc = null;
        try
        {
            if (pid.Container is { } pidDonor) joinPid = OpenNamespace(pidDonor, "pid");
            if (ipc.Container is { } ipcDonor) joinIpc = OpenNamespace(ipcDonor, "ipc");
            if (ipc.Share == NamespaceShare.Shareable) MountSharedShm(c.Files);
        }
        catch
        {
            joinPid?.Dispose();
            joinIpc?.Dispose();
            throw;
        }
        return new LaunchNamespaces
        {
            JoinNet = joinNet, JoinPid = joinPid, JoinIpc = joinIpc,
            NewPid = pid.Unshares, NewIpc = ipc.Unshares,
        };
    }

    static void MountSharedShm(ContainerFiles files)
    {
        Directory.CreateDirectory(files.Shm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ReleaseSharedShm(files); // a leftover of a run the daemon did not see end
        Sys.Mount("shm", files.Shm, "tmpfs", MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec, "mode=1777,size=67108864");
    }

    /// <summary>
    /// Unmounts a shareable container's /dev/shm tmpfs once it stops (or is removed, or found dead
    /// at daemon start). Lazily: a container still joined to it keeps its own bind until it ends.
    /// </summary>
    internal static void ReleaseSharedShm(ContainerFiles files)
    {
        try { Sys.Umount(files.Shm, Sys.MNT_DETACH); }
        catch (ErrnoException e) when (e.Errno is Errno.EINVAL or Errno.ENOENT) { } // not mounted
    }

    SafeFd OpenNamespace(string donorName, string ns)
    {
        var donor = Get(donorName);
        var what = ns == "pid" ? "PID" : "IPC";
        var donorPid = donor.Process?.Pid ?? throw new ConflictException($"cannot join the {what} namespace of a non running container: {donorName}");
        try { return Sys.Open($"/proc/{donorPid}/ns/{ns}", Sys.O_RDONLY); }
        catch (ErrnoException e) when (e.Errno is Errno.ENOENT or Errno.ESRCH)
        {
            throw new ConflictException($"cannot join the {what} namespace of a non running container: {donorName}");
        }
    }
}
