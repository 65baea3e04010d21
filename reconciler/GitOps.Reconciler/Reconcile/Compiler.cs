using System.Globalization;
using GitOps.Reconciler.Model;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;
using GitOps.Runtime.Volumes;
using EndpointRequest = GitOps.Runtime.Networking.EndpointRequest;
using PortBindingRequest = GitOps.Runtime.Networking.PortBindingRequest;
using EngineRestart = GitOps.Runtime.Containers.RestartPolicy;
using ModelRestart = GitOps.Reconciler.Model.RestartPolicy;

namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// Turns the manifest model into engine terms. Names follow Compose (<c>PROJECT_NETWORK</c>,
/// <c>PROJECT_VOLUME</c>, <c>PROJECT-SERVICE-N</c>) so users find what they expect with <c>gitops ps</c>.
/// </summary>
internal static class Compiler
{
    /// <param name="treeRoot">The revision's tree: files read here (configs, bind sources, build contexts) must resolve inside it,
    /// symlinks included, or the compile fails (<see cref="PathEscapeException"/>). Null reads paths as they are.</param>
    public static DesiredApp Compile(string app, string project, string revision, Application model, string? baseDirectory = null, string? treeRoot = null)
    {
        var tree = new TreeFiles(treeRoot, baseDirectory);
        var warnings = new List<string>();
        foreach (var u in model.Unsupported) warnings.Add($"{u.Kind} {u.Name}: not run by gitops (kind {u.ApiVersion}/{u.Kind} is not supported)");
        var networks = model.Networks.Values.Select(n => new DesiredNetwork(n.Key, n.Name ?? $"{project}_{n.Key}", n.External, n.Internal,
            n.Ipam.FirstOrDefault()?.Subnet, n.Ipam.FirstOrDefault()?.Gateway)).ToList();
        var volumes = model.Volumes.Values.Select(v => new DesiredVolume(v.Key, v.Name ?? $"{project}_{v.Key}", v.External, v.Driver,
            v.DriverOptions.ToDictionary(StringComparer.Ordinal), v.Labels.ToDictionary(StringComparer.Ordinal))).ToList();
        // A StatefulSet's volumeClaimTemplates: one claim per replica, NAME-SET-ORDINAL as Kubernetes names them.
        foreach (var s in model.Services.Values)
            foreach (var t in s.Stateful?.ClaimTemplates ?? [])
                for (var o = 0; o < Replicas(s); o++)
                    volumes.Add(new DesiredVolume($"{t.Name}-{s.Name}-{o}", ClaimVolume(project, t.Name, s.Name, o), false, null,
                        new Dictionary<string, string>(), new Dictionary<string, string>(), s.Name));
        var secrets = model.Secrets.Values.Select(s => new DesiredSecret(s.Key, s.Name ?? $"{project}_{s.Key}", s.External, false,
                s.Content?.Digest ?? (s.Data.IsEmpty ? null : string.Join(",", s.Data.Select(kv => kv.Key + "=" + kv.Value.Digest))), Payload(s)))
            .Concat(model.Configs.Values.Select(c => ConfigOf(c, project, tree, warnings)))
            .ToList();
        var digests = secrets.ToDictionary(s => (s.IsConfig, s.Key), s => s.Digest);
        var services = model.Services.Values.Select(s => new DesiredService(
            s.Name, ServiceHash(s, digests, tree), Replicas(s),
            s.Kind == WorkloadKind.StatefulSet ? 0 : 1, s.Update, s.DependsOn.ToList(),
            s.Template.Containers.FirstOrDefault()?.Health is { Action.Kind: not ProbeKind.Disabled }, s.Template.StopGracePeriod, s)).ToList();

        var routers = new List<DesiredRouter>();
        var names = networks.ToDictionary(n => n.Key, n => n.EngineName, StringComparer.Ordinal);
        foreach (var s in model.Services.Values)
        {
            var routed = Publishing.Routed(s).ToList();
            if (routed.Count == 0) continue;
            var net = FirstNetwork(s, names, project);
            if (net is null) { warnings.Add($"service {s.Name}: published ports need a bridge network; not published"); continue; }
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in routed)
            {
                // One router per published port; a second port in front of the same target ("8080:80" and
                // "8081:80", a stack's "8080-8081:80") is told apart by its published port.
                var name = $"{project}-{s.Name}-{p.Target}-{p.Protocol}";
                if (!taken.Add(name)) taken.Add(name = $"{name}-{p.Published?.ToString(CultureInfo.InvariantCulture) ?? taken.Count.ToString(CultureInfo.InvariantCulture)}");
                routers.Add(new DesiredRouter(name, s.Name, net, p.Target, p.Protocol, p.Published, [(s.Name, p.Target)]));
            }
        }
        foreach (var r in model.Routes.Values)
        {
            if (r.Type == RouteType.Headless) continue;
            var backends = r.Backends.Where(model.Services.ContainsKey).ToList();
            var net = backends.Select(b => FirstNetwork(model.Services[b], names, project)).FirstOrDefault(n => n is not null) ?? $"{project}_default";
            foreach (var p in r.Ports)
            {
                var targets = backends.Select(b => (b, p.Resolved.TryGetValue(b, out var port) ? port : int.TryParse(p.TargetPort, out var n) ? n : 0))
                    .Where(t => t.Item2 > 0).ToList();
                routers.Add(new DesiredRouter($"{project}-{r.Name}-{p.Port}-{p.Protocol.ToLowerInvariant()}", r.Name, net, p.Port, p.Protocol.ToLowerInvariant(),
                    r.Type == RouteType.NodePort ? p.NodePort ?? 0 : null, targets));
            }
        }
        return new DesiredApp(app, project, revision, networks, volumes, secrets, services, routers, warnings) { BaseDirectory = baseDirectory, BindSources = tree.Binds(model) };
    }

    static int Replicas(Service s) => Publishing.Replicas(s);

    public static string ClaimVolume(string project, string template, string service, int ordinal) => $"{project}_{template}-{service}-{ordinal}";

    /// <summary>A replica's scratch volume (Kubernetes emptyDir, shared by the pod's containers).</summary>
    public static string ScratchVolume(string replica, string name) => $"{replica}_{name}";

    static SecretPayload? Payload(Secret s)
    {
        if (s.Content is { HasValue: true } v) return new SecretPayload(v.Reveal().ToArray(), null);
        if (!s.Data.IsEmpty && s.Data.All(kv => kv.Value.HasValue))
            return new SecretPayload(null, s.Data.ToDictionary(kv => kv.Key, kv => kv.Value.Reveal().ToArray(), StringComparer.Ordinal));
        return null;
    }

    static DesiredSecret ConfigOf(Config c, string project, TreeFiles tree, List<string> warnings)
    {
        SecretPayload? payload = null;
        if (c.Content is { } text) payload = new SecretPayload(System.Text.Encoding.UTF8.GetBytes(text), null);
        else if (c.File is { } file && !c.External)
        {
            var path = tree.Path(file, $"config {c.Key}");
            try { payload = new SecretPayload(File.ReadAllBytes(path), null); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { warnings.Add($"config {c.Key}: cannot read {file}: {e.Message}"); }
        }
        else if (!c.Data.IsEmpty || !c.BinaryData.IsEmpty)
        {
            var items = c.Data.ToDictionary(kv => kv.Key, kv => System.Text.Encoding.UTF8.GetBytes(kv.Value), StringComparer.Ordinal);
            foreach (var (k, v) in c.BinaryData)
            {
                try { items[k] = Convert.FromBase64String(v); }
                catch (FormatException) { warnings.Add($"ConfigMap {c.Key}: binaryData.{k} is not base64; left out"); }
            }
            payload = new SecretPayload(null, items);
        }
        return new DesiredSecret(c.Key, c.Name ?? $"{project}_{c.Key}", c.External, true, c.FileDigest ?? ConfigDigest(c), payload);
    }

    /// <summary>
    /// The template's spec hash, plus the content digests of the secrets and configs it uses and of files it
    /// binds from the repository: a new secret value or an edited config file in Git rolls the service
    /// (what Helm users do by hand with a checksum annotation), and the ports its replicas bind themselves.
    /// Services that have none of these keep the plain hash.
    /// </summary>
    static string ServiceHash(Service s, IReadOnlyDictionary<(bool IsConfig, string Key), string?> digests, TreeFiles tree)
    {
        var hash = Hashing.SpecHash.OfTemplate(s);
        var inputs = new SortedSet<string>(StringComparer.Ordinal);
        // Ports a replica binds itself are part of what it is made of: a new port, or the move between binding
        // it and a router, recreates the replica (routed ports change only the router).
        if (Publishing.DirectSpec(s) is { } direct) inputs.Add("publish:" + direct);
        foreach (var c in s.Template.Containers.Concat(s.Template.InitContainers))
        {
            foreach (var m in c.Mounts)
            {
                if (m.Type is MountType.Secret or MountType.Config && m.Source is { } src)
                    inputs.Add($"{m.Type}:{src}={digests.GetValueOrDefault((m.Type == MountType.Config, Ref(s, src)))}");
                else if (m.Type == MountType.Bind && m.Source is { } bind && TreeFiles.IsRelative(bind) && tree.HasBase)
                    inputs.Add($"bind:{bind}={TreeFiles.ContentDigest(tree.Path(bind, $"bind source of {s.Name}"))}");
            }
            if (c.Build is { } build && tree.HasBase && !Compose.ComposePaths.IsRemote(build.Context))
                inputs.Add($"build:{build.Context}={TreeFiles.ContentDigest(tree.Path(build.Context, $"build context of {s.Name}"))}");
            foreach (var e in c.Env)
                if (e.From is { Kind: EnvSourceKind.SecretKey or EnvSourceKind.ConfigKey } f)
                    inputs.Add($"env:{f.Kind}:{f.Name}={digests.GetValueOrDefault((f.Kind == EnvSourceKind.ConfigKey, Ref(s, f.Name)))}");
            foreach (var f in c.EnvFrom)
                inputs.Add($"envFrom:{f.Kind}:{f.Name}={digests.GetValueOrDefault((f.Kind == EnvFromKind.Config, Ref(s, f.Name)))}");
        }
        if (inputs.Count == 0) return hash;
        var text = hash + "\n" + string.Join("\n", inputs);
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// A Kubernetes reference from a namespaced workload names an object in the same namespace (model keys
    /// are NAME.NAMESPACE outside the default one); Compose names are as written.
    /// </summary>
    static string Ref(Service s, string name) =>
        s.Format == SourceFormat.Kubernetes ? Kubernetes.KubeNames.Qualify(name, Namespace(s)) : name;

    /// <summary>A Kubernetes workload's namespace: model names are NAME.NAMESPACE outside the default one.</summary>
    internal static string Namespace(Service s)
    {
        var dot = s.Name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? Kubernetes.KubeNames.DefaultNamespace : s.Name[(dot + 1)..];
    }

    /// <summary>A config's content digest: configs are not secret, but a digest keeps plans short.</summary>
    static string ConfigDigest(Config c)
    {
        var text = c.Content ?? string.Join("\n", c.Data.Select(kv => kv.Key + "=" + kv.Value).Concat(c.BinaryData.Select(kv => kv.Key + "=" + kv.Value)));
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..16];
    }

    static string? FirstNetwork(Service s, IReadOnlyDictionary<string, string> names, string project) =>
        s.Template.NetworkMode.Kind is NetworkModeKind.Default or NetworkModeKind.Bridge
            ? s.Template.Networks.OrderByDescending(n => n.Priority).Select(n => names.GetValueOrDefault(n.Network) ?? $"{project}_{n.Network}").FirstOrDefault()
            : null;

    /// <summary>The engine requests for replica <paramref name="ordinal"/>: the first container owns the network namespace, sidecars join it.</summary>
    public static IReadOnlyList<CreateRequest> Replica(DesiredApp app, DesiredService svc, int ordinal) =>
        [.. svc.Spec.Template.Containers.Select((c, i) => Request(app, svc, ordinal, c, i == 0 ? null : ManagedLabels.AppContainer))];

    /// <summary>
    /// The engine requests for replica <paramref name="ordinal"/>'s init containers, in order: they join the first
    /// container's network namespace; a native sidecar (restartPolicy Always) is restarted whenever it exits,
    /// a plain init container runs once (its failure fails the replica's start).
    /// </summary>
    public static IReadOnlyList<CreateRequest> InitContainers(DesiredApp app, DesiredService svc, int ordinal) =>
        [.. svc.Spec.Template.InitContainers.Select(c => Request(app, svc, ordinal, c, c.Sidecar ? ManagedLabels.SidecarContainer : ManagedLabels.InitContainer))];

    /// <param name="role">Null for the replica's first container; otherwise what the container is in the pod (<see cref="ManagedLabels.Role"/>).</param>
    static CreateRequest Request(DesiredApp app, DesiredService svc, int ordinal, Model.Container c, string? role)
    {
        var s = svc.Spec;
        var t = s.Template;
        var main = svc.ReplicaName(app.Project, ordinal);
        var networkNames = app.Networks.ToDictionary(n => n.Key, n => n.EngineName, StringComparer.Ordinal);
        var i = role is null ? 0 : 1;
        var labels = new Dictionary<string, string>(t.Labels, StringComparer.Ordinal)
        {
            [ManagedLabels.App] = app.App,
            [ManagedLabels.Service] = s.Name,
            [ManagedLabels.Revision] = app.Revision,
            [ManagedLabels.SpecHash] = svc.Hash,
            [ManagedLabels.Replica] = ordinal.ToString(CultureInfo.InvariantCulture),
            [ManagedLabels.ComposeProject] = app.Project,
            [ManagedLabels.ComposeService] = s.Name,
            [ManagedLabels.ComposeNumber] = ordinal.ToString(CultureInfo.InvariantCulture),
        };
        if (i > 0) labels[ManagedLabels.Part] = c.Name;
        if (role is not null && role != ManagedLabels.AppContainer) labels[ManagedLabels.Role] = role;
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
                        Type = "volume", Source = ClaimVolume(app.Project, template, s.Name, ordinal), Target = m.Target, ReadOnly = m.ReadOnly,
                        VolumeOptions = new VolumeOptions { Subpath = m.SubPath },
                    });
                    break;
                case MountType.Ephemeral:
                    // A pod's emptyDir lives and dies with the replica; Compose's anonymous volume is kept for the
                    // replica's next container, as docker compose carries it over when it recreates one.
                    mounts.Add(new MountRequest
                    {
                        Type = "volume", Source = m.Source is null ? AnonymousVolume(req.Name!, m.Target) : ScratchVolume(replica, m.Source), Target = m.Target, ReadOnly = m.ReadOnly,
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

    /// <summary>
    /// The volume behind a container's anonymous mount at <paramref name="target"/> (Compose's <c>- /data</c>, an
    /// image's VOLUME): named after the container (a replica's main one or a sidecar) and the path, so the
    /// replica's next container of that name finds the same data.
    /// </summary>
    public static string AnonymousVolume(string container, string target) =>
        $"{container}_anon-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(target)))[..12]}";

    /// <summary>The scratch volumes (emptyDir) replica <paramref name="ordinal"/> needs before its containers are created.</summary>
    public static IReadOnlyList<string> ScratchVolumes(DesiredApp app, DesiredService svc, int ordinal) =>
        svc.Spec.Template.Containers.Concat(svc.Spec.Template.InitContainers).SelectMany(c => c.Mounts)
            .Where(m => m.Type == MountType.Ephemeral && m.Source is not null)
            .Select(m => ScratchVolume(svc.ReplicaName(app.Project, ordinal), m.Source!)).Distinct().ToList();

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
