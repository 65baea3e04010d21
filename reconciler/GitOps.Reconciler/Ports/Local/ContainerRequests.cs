using System.Globalization;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Reconcile;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;
using GitOps.Runtime.Volumes;
using EndpointRequest = GitOps.Runtime.Networking.EndpointRequest;
using PortBindingRequest = GitOps.Runtime.Networking.PortBindingRequest;
using EngineRestart = GitOps.Runtime.Containers.RestartPolicy;
using ModelRestart = GitOps.Reconciler.Model.RestartPolicy;

namespace GitOps.Reconciler.Ports.Local;

/// <summary>
/// The local engine's create request for one container of a replica: labels, process, resources, security,
/// mounts, secret references and network attachment, as Docker's API shapes them. Only the local adapter
/// speaks this language; the reconciler hands it <see cref="ContainerSpec"/>s.
/// </summary>
internal static class ContainerRequests
{
    public static CreateRequest Build(ContainerSpec spec) => Request(spec.App, spec.Service, spec.Ordinal, spec.Container, spec.Role, spec.Labels());

    static string Namespace(Service s) => Compiler.Namespace(s);

    static string Ref(Service s, string name) => Compiler.Ref(s, name);

    /// <param name="role">Null for the replica's first container; otherwise what the container is in the pod (<see cref="ManagedLabels.Role"/>).</param>
    static CreateRequest Request(DesiredApp app, DesiredService svc, int ordinal, Model.Container c, string? role, Dictionary<string, string> labels)
    {
        var s = svc.Spec;
        var t = s.Template;
        var main = svc.ReplicaName(app.Project, ordinal);
        var networkNames = app.Networks.ToDictionary(n => n.Key, n => n.EngineName, StringComparer.Ordinal);
        var i = role is null ? 0 : 1;
        var req = new CreateRequest
        {
            Image = c.Image,
            Name = i == 0 ? main : $"{main}-{c.Name}",
            Entrypoint = c.Entrypoint?.ToList(),
            Cmd = c.Command?.ToList(),
            Env = [.. c.Env.Where(e => e.Value is not null).Select(e => $"{e.Name}={e.Value}")],
            WorkingDir = c.WorkingDir,
            User = c.User,
            // A pod's hostname is its name in Kubernetes (what StatefulSet members rely on); Compose keeps Docker's short ID.
            Hostname = i == 0 ? t.Hostname ?? (s.Format == SourceFormat.Kubernetes ? main : null) : null,
            Domainname = i == 0 ? t.Domainname : null,
            Tty = c.Tty,
            OpenStdin = c.StdinOpen,
            Labels = labels,
            StopSignal = c.StopSignal,
            StopTimeout = (int)Math.Ceiling(t.StopGracePeriod.TotalSeconds),
            Healthcheck = Health(c.Health),
            ExposedPorts = c.Ports.Select(p => $"{p.Port}/{p.Protocol.ToLowerInvariant()}").ToList(),
        };
        var h = req.HostConfig;
        h.RestartPolicy = role switch
        {
            ManagedLabels.SidecarContainer => new EngineRestart("always"), // Kubernetes restarts a sidecar whatever the pod's policy
            ManagedLabels.InitContainer => EngineRestart.No, // the start sequence decides what a failed init container means
            _ => Restart(t.Restart),
        };
        if (role == ManagedLabels.SidecarContainer && c.Health is null && Health(c.Startup) is { } startup) req.Healthcheck = startup;
        h.Init = c.Init;
        h.Memory = c.Resources.MemoryLimit ?? 0;
        h.NanoCpus = c.Resources.CpuLimit ?? 0;
        h.PidsLimit = c.Resources.PidsLimit ?? 0;
        h.ReadonlyRootfs = c.Security.ReadOnlyRootFilesystem;
        h.CapAdd = c.Security.CapAdd.ToList();
        h.CapDrop = c.Security.CapDrop.ToList();
        // What the policy let through takes effect: nothing a manifest asks for is dropped on the way to the engine.
        h.Privileged = c.Security.Privileged;
        h.SecurityOpt = c.Security.SecurityOpt.ToList();
        h.Devices = c.Security.Devices.Select(d => new DeviceMapping { PathOnHost = d.HostPath, PathInContainer = d.ContainerPath, CgroupPermissions = d.Permissions }).ToList();
        h.PidMode = Namespace(app, t.Pid);
        h.IpcMode = i > 0 && t.Ipc != "host" ? "" : Namespace(app, t.Ipc);
        if (i == 0) (h.Dns, h.DnsSearch, h.DnsOptions) = Kubernetes.PodDns.Of(s, Namespace(s)); // the pod's other containers share its resolv.conf
        Mounts(app, svc, ordinal, main, c, req);
        EnvFromObjects(app, s, c, req);
        if (s.Format == SourceFormat.Kubernetes)
        {
            var env = Kubernetes.EnvExpansion.Compile(c, new Kubernetes.EnvExpansion.Pod(main, Namespace(s), t));
            (req.Env, req.Entrypoint, req.Cmd, req.KubeEnv) = (env.Env, env.Entrypoint, env.Cmd, env.KubeEnv);
        }
        if (i > 0)
            h.NetworkMode = "container:" + main;
        else
        {
            switch (t.NetworkMode.Kind)
            {
                case NetworkModeKind.Host: h.NetworkMode = "host"; break;
                case NetworkModeKind.None: h.NetworkMode = "none"; break;
                case NetworkModeKind.Container: h.NetworkMode = "container:" + t.NetworkMode.Target; break;
                case NetworkModeKind.Service: h.NetworkMode = $"container:{app.Project}-{t.NetworkMode.Target}-1"; break;
                default:
                    var attachments = t.Networks.OrderByDescending(n => n.Priority).ThenBy(n => n.Network, StringComparer.Ordinal).ToList();
                    foreach (var a in attachments)
                        req.Networks[networkNames.GetValueOrDefault(a.Network) ?? $"{app.Project}_{a.Network}"] =
                            new EndpointRequest { Aliases = a.Aliases.ToList(), IPv4Address = a.Ipv4Address };
                    h.NetworkMode = req.Networks.Keys.FirstOrDefault() ?? "bridge";
                    break;
            }
            // Ports not behind a router are bound by the replica itself; a range gives each replica its own port.
            foreach (var p in Publishing.Direct(s))
            {
                var key = $"{p.Target}/{p.Protocol.ToLowerInvariant()}";
                if (!h.PortBindings.TryGetValue(key, out var list)) h.PortBindings[key] = list = [];
                var hostPort = Publishing.HostPort(p, ordinal - svc.FirstOrdinal);
                list.Add(new PortBindingRequest { HostIp = p.HostIp ?? "", HostPort = hostPort?.ToString(CultureInfo.InvariantCulture) ?? "" });
            }
        }
        return req;
    }

    /// <summary>
    /// Secret and config values are never put in a request: they go to the engine as references it resolves at
    /// start, so no value shows in inspect output or state files. (A Kubernetes container's literal and field
    /// variables are compiled by <see cref="Kubernetes.EnvExpansion"/>, which numbers these references in order.)
    /// </summary>
    static void EnvFromObjects(DesiredApp app, Service s, Model.Container c, CreateRequest req)
    {
        var secretEnv = new List<GitOps.Runtime.Secrets.SecretEnv>();
        foreach (var e in c.Env)
            if (e.From is { Kind: EnvSourceKind.SecretKey or EnvSourceKind.ConfigKey } f)
            {
                var config = f.Kind == EnvSourceKind.ConfigKey;
                secretEnv.Add(new GitOps.Runtime.Secrets.SecretEnv
                {
                    Name = e.Name, Kind = config ? GitOps.Runtime.Secrets.SecretKind.Config : GitOps.Runtime.Secrets.SecretKind.Secret,
                    Source = ObjectName(app, config, Ref(s, f.Name)), Key = f.Key, Optional = f.Optional,
                });
            }
        req.SecretEnv = secretEnv;
        req.SecretEnvFrom = c.EnvFrom.Select(f => new GitOps.Runtime.Secrets.SecretEnvFrom
        {
            Kind = f.Kind == EnvFromKind.Config ? GitOps.Runtime.Secrets.SecretKind.Config : GitOps.Runtime.Secrets.SecretKind.Secret,
            Source = ObjectName(app, f.Kind == EnvFromKind.Config, Ref(s, f.Name)), Prefix = f.Prefix, Optional = f.Optional,
        }).ToList();
    }

    /// <summary>The engine name of a secret or config the application declares; an undeclared one is taken as an engine name (external).</summary>
    static string ObjectName(DesiredApp app, bool config, string key) =>
        app.Secrets.FirstOrDefault(x => x.IsConfig == config && x.Key == key)?.EngineName ?? key;

    static string VolumeName(DesiredApp app, string key) =>
        app.Volumes.FirstOrDefault(v => v.Key == key && v.Service is null)?.EngineName ?? key;

    /// <summary>The model's mounts as Docker's HostConfig.Mounts, and secrets/configs as the engine's file references.</summary>
    static void Mounts(DesiredApp app, DesiredService svc, int ordinal, string replica, Model.Container c, CreateRequest req)
    {
        var s = svc.Spec;
        var mounts = new List<MountRequest>();
        var secrets = new List<GitOps.Runtime.Secrets.SecretReference>();
        var configs = new List<GitOps.Runtime.Secrets.SecretReference>();
        foreach (var m in c.Mounts)
        {
            switch (m.Type)
            {
                case MountType.Volume when m.Source is { } key:
                    mounts.Add(new MountRequest
                    {
                        Type = "volume", Source = VolumeName(app, Ref(s, key)), Target = m.Target, ReadOnly = m.ReadOnly,
                        VolumeOptions = new VolumeOptions { NoCopy = m.NoCopy, Subpath = m.SubPath },
                    });
                    break;
                case MountType.ClaimTemplate when m.Source is { } template:
                    mounts.Add(new MountRequest
                    {
                        Type = "volume", Source = Compiler.ClaimVolume(app.Project, template, s.Name, ordinal), Target = m.Target, ReadOnly = m.ReadOnly,
                        VolumeOptions = new VolumeOptions { Subpath = m.SubPath },
                    });
                    break;
                case MountType.Ephemeral:
                    // A pod's emptyDir lives and dies with the replica; Compose's anonymous volume is kept for the
                    // replica's next container, as docker compose carries it over when it recreates one.
                    mounts.Add(new MountRequest
                    {
                        Type = "volume", Source = m.Source is null ? Compiler.AnonymousVolume(req.Name!, m.Target) : Compiler.ScratchVolume(replica, m.Source), Target = m.Target, ReadOnly = m.ReadOnly,
                        VolumeOptions = new VolumeOptions { NoCopy = m.NoCopy, Subpath = m.SubPath },
                    });
                    break;
                case MountType.Bind when m.Source is { } path:
                    var written = m.SubPath is { } sub ? Path.Combine(path, sub) : path;
                    // Relative sources were resolved inside the revision's tree when compiled (no symlink left to follow).
                    var source = app.BindSources.TryGetValue(written, out var resolved) ? resolved
                        : Path.IsPathRooted(written) || app.BaseDirectory is null ? written : Path.GetFullPath(Path.Combine(app.BaseDirectory, written));
                    mounts.Add(new MountRequest
                    {
                        Type = "bind", Source = source, Target = m.Target, ReadOnly = m.ReadOnly,
                        BindOptions = new BindOptions { Propagation = m.Propagation, CreateMountpoint = m.CreateHostPath },
                    });
                    break;
                case MountType.Tmpfs:
                    mounts.Add(new MountRequest
                    {
                        Type = "tmpfs", Target = m.Target, ReadOnly = m.ReadOnly,
                        TmpfsOptions = new TmpfsOptions { SizeBytes = m.SizeBytes ?? 0, Mode = (uint)(m.Mode ?? 0) },
                    });
                    break;
                case MountType.Secret or MountType.Config when m.Source is { } name:
                    var config = m.Type == MountType.Config;
                    (config ? configs : secrets).Add(new GitOps.Runtime.Secrets.SecretReference
                    {
                        Source = ObjectName(app, config, Ref(s, name)), Key = m.Key, Target = m.Target,
                        UID = m.Uid ?? "0", GID = m.Gid ?? "0", Mode = m.Mode is { } mode ? (uint)mode : null,
                    });
                    break;
            }
        }
        req.HostConfig.Mounts = mounts;
        req.Secrets = secrets;
        req.Configs = configs;
    }

    /// <summary>A PID or IPC mode as the engine takes it: "host", "shareable", "private", or another container (a service's first replica).</summary>
    static string Namespace(DesiredApp app, string? mode) => mode switch
    {
        null => "",
        _ when mode.StartsWith("service:", StringComparison.Ordinal) => $"container:{app.Project}-{mode[8..]}-1",
        _ => mode,
    };

    static HealthConfig? Health(Probe? p)
    {
        if (p is null) return null;
        IReadOnlyList<string>? test = p.Action.Kind switch
        {
            ProbeKind.Exec => ["CMD", .. p.Action.Command],
            ProbeKind.Shell => ["CMD-SHELL", string.Join(' ', p.Action.Command)],
            ProbeKind.Disabled => ["NONE"],
            // HTTP and TCP probes are made by the engine inside the container's network namespace: no tool in the image needed.
            ProbeKind.Http when p.Action.Port is { } port => ["HTTP-GET", port.ToString(CultureInfo.InvariantCulture), p.Action.Path ?? "/", p.Action.Scheme ?? "HTTP"],
            ProbeKind.Tcp when p.Action.Port is { } port => ["TCP", port.ToString(CultureInfo.InvariantCulture)],
            _ => null,
        };
        if (test is null) return null;
        static long Ns(TimeSpan t) => t.Ticks * 100;
        return new HealthConfig(test, Ns(p.Interval), Ns(p.Timeout), Ns(p.StartPeriod + p.InitialDelay), Ns(p.StartInterval), p.FailureThreshold);
    }

    static EngineRestart Restart(ModelRestart r) => r.Condition switch
    {
        RestartCondition.Always => new EngineRestart("always"),
        RestartCondition.UnlessStopped => new EngineRestart("unless-stopped"),
        RestartCondition.OnFailure => new EngineRestart("on-failure", r.MaxAttempts ?? 0),
        _ => EngineRestart.No,
    };
}
