namespace GitOps.Reconciler.Policy;

/// <summary>
/// What an application's manifests may ask of the node, in the shape of Kubernetes' PodSecurityPolicy
/// allow-lists and Argo CD's AppProject: every list is what is allowed, an empty list allows nothing and
/// <c>"*"</c> allows everything. Git is the control channel of the fleet: without a policy, anyone who can
/// push could bind-mount the host's root or load kernel modules on every node.
/// </summary>
/// <param name="Name">The preset or named policy, shown in every refusal ("policy restricted: ...").</param>
/// <param name="AllowedHostPaths">Host paths (and everything under them) that binds, hostPath volumes, bind-like
/// local volumes and host files read by the loader (an absolute <c>env_file</c> or secret <c>file:</c>) may use.</param>
/// <param name="AllowedCapabilities">Capabilities <c>cap_add</c>/<c>capabilities.add</c> may add; dropping is always allowed.</param>
/// <param name="HostNetwork">The host's network namespace (<c>network_mode: host</c>, <c>hostNetwork</c>).</param>
/// <param name="HostPid">The host's PID namespace (<c>pid: host</c>, <c>hostPID</c>).</param>
/// <param name="HostIpc">The host's IPC namespace (<c>ipc: host</c>, <c>hostIPC</c>).</param>
/// <param name="Privileged">Privileged containers (every capability and device, no confinement).</param>
/// <param name="AllowedDevices">Host device nodes <c>devices:</c> may map into containers.</param>
/// <param name="AllowedVolumeDrivers">Volume drivers named volumes may use.</param>
/// <param name="AllowedVolumeTypes">Filesystem types a local volume may mount (<c>driver_opts.type</c>); a bind
/// (<c>type: none</c> or <c>o: bind</c>) is a host path and goes through <paramref name="AllowedHostPaths"/>.</param>
/// <param name="HostPorts">Host ports that may be published (ports, hostPort, nodePort); ephemeral ports are always allowed.</param>
/// <param name="AllowedImages">Image patterns (<c>registry.example.com/*</c>, <c>docker.io/library/*</c>); empty allows every image.</param>
/// <param name="Unconfined">seccomp=unconfined (or a profile whose default action allows), apparmor=unconfined,
/// label=disable, systempaths=unconfined (Kubernetes' procMount: Unmasked).</param>
/// <param name="ForeignNamespaces">Joining containers outside the application (<c>network_mode</c>/<c>pid</c>/<c>ipc: container:X</c>, <c>volumes_from</c>).</param>
/// <param name="MaxCpuNano">The CPU limits of all replicas together, in nano-CPUs; null: no cap.</param>
/// <param name="MaxMemoryBytes">The memory limits of all replicas together; null: no cap.</param>
internal sealed record SecurityPolicy(
    string Name,
    IReadOnlyList<HostPathRule> AllowedHostPaths,
    IReadOnlyList<string> AllowedCapabilities,
    bool HostNetwork,
    bool HostPid,
    bool HostIpc,
    bool Privileged,
    IReadOnlyList<string> AllowedDevices,
    IReadOnlyList<string> AllowedVolumeDrivers,
    IReadOnlyList<string> AllowedVolumeTypes,
    IReadOnlyList<PortRange> HostPorts,
    IReadOnlyList<string> AllowedImages,
    bool Unconfined,
    bool ForeignNamespaces,
    long? MaxCpuNano,
    long? MaxMemoryBytes)
{
    public const string Any = "*";

    /// <summary>
    /// Kubernetes' restricted level, for what Git may ask by default: no host paths, namespaces, devices or
    /// privileges; only NET_BIND_SERVICE may be added (as in Kubernetes' restricted profile — it is in Docker's
    /// default set anyway, so this only matters after a drop of ALL); unprivileged host ports (1024 and up), so a
    /// commit cannot take over a node's SSH, DNS or HTTP ports; local volumes only, tmpfs the only filesystem.
    /// </summary>
    public static readonly SecurityPolicy Restricted = new(
        "restricted", [], ["NET_BIND_SERVICE"], false, false, false, false, [], ["local"], ["tmpfs"],
        [new PortRange(1024, 65535)], [], false, false, null, null);

    /// <summary>
    /// Kubernetes' baseline level: Docker's default capabilities may be added back after a drop, any host port;
    /// still no host paths, namespaces, devices, privileged mode or unconfined profiles.
    /// </summary>
    public static readonly SecurityPolicy Baseline = Restricted with
    {
        Name = "baseline",
        AllowedCapabilities = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
            "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"],
        HostPorts = [new PortRange(1, 65535)],
    };

    /// <summary>Everything, as Docker allows it: for operators at a shell and applications trusted with the node.</summary>
    public static readonly SecurityPolicy Unrestricted = new(
        "privileged", [new HostPathRule("/", false)], [Any], true, true, true, true, [Any], [Any], [Any],
        [new PortRange(1, 65535)], [], true, true, null, null);

    public static IReadOnlyList<SecurityPolicy> Presets { get; } = [Restricted, Baseline, Unrestricted];

    public static SecurityPolicy? Preset(string name) => Presets.FirstOrDefault(p => p.Name == name);

    /// <summary>True when every host path is allowed read-write (no path confinement is needed for local sources).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool AllowsAllHostPaths => AllowedHostPaths.Any(r => r.Path == "/" && !r.ReadOnly);

    /// <summary>The rule that allows <paramref name="hostPath"/> (read-only when <paramref name="readOnly"/>), or null.</summary>
    public HostPathRule? HostPathRule(string hostPath, bool readOnly) =>
        AllowedHostPaths.FirstOrDefault(r => r.Covers(hostPath) && (readOnly || !r.ReadOnly));

    public bool AllowsCapability(string cap) =>
        AllowedCapabilities.Any(a => a == Any || a == "ALL" || string.Equals(a, cap, StringComparison.OrdinalIgnoreCase));

    public bool AllowsDevice(string hostPath) =>
        AllowedDevices.Any(d => d == Any || Rules.PathCovers(d, hostPath));

    public bool AllowsVolumeDriver(string driver) => AllowedVolumeDrivers.Any(d => d == Any || d == driver);

    public bool AllowsVolumeType(string type) => AllowedVolumeTypes.Any(t => t == Any || t == type);

    public bool AllowsHostPort(int port) => HostPorts.Any(r => r.Contains(port));

    public bool AllowsImage(string image) => AllowedImages.Count == 0 || AllowedImages.Any(p => Rules.ImageMatches(p, image));
}

/// <summary>A host path prefix a policy allows, read-only or read-write (PodSecurityPolicy's allowedHostPaths).</summary>
internal sealed record HostPathRule(string Path, bool ReadOnly)
{
    /// <summary>True for the path itself and anything under it, compared component by component ("/srv" does not cover "/srv2").</summary>
    public bool Covers(string hostPath) => Rules.PathCovers(Path, hostPath);

    public override string ToString() => ReadOnly ? Path + " (read-only)" : Path;
}

/// <summary>An inclusive range of host ports.</summary>
internal sealed record PortRange(int From, int To)
{
    public bool Contains(int port) => port >= From && port <= To;

    public override string ToString() => From == To ? From.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{From}-{To}";

    /// <summary>"8080", "1024-65535".</summary>
    public static PortRange? Parse(string text)
    {
        var t = text.Trim();
        var dash = t.IndexOf('-', StringComparison.Ordinal);
        static int? Port(string s) => int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535 ? p : null;
        if (dash < 0) return Port(t) is { } one ? new PortRange(one, one) : null;
        return Port(t[..dash]) is { } from && Port(t[(dash + 1)..]) is { } to && from <= to ? new PortRange(from, to) : null;
    }
}
