using System.Globalization;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// Turns the manifest model into the reconciler's desired state (engine names, replicas, routers; the engine's own
/// requests are built by the engine's adapter, Ports/Local/ContainerRequests). Names follow Compose (<c>PROJECT_NETWORK</c>,
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
    internal static string Ref(Service s, string name) =>
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

    /// <summary>The containers of replica <paramref name="ordinal"/>: the first container owns the network namespace, sidecars join it.</summary>
    public static IReadOnlyList<Ports.ContainerSpec> Replica(DesiredApp app, DesiredService svc, int ordinal) =>
        [.. svc.Spec.Template.Containers.Select((c, i) => new Ports.ContainerSpec(app, svc, ordinal, c, i == 0 ? null : ManagedLabels.AppContainer))];

    /// <summary>
    /// The containers of replica <paramref name="ordinal"/>'s init containers, in order: they join the first
    /// container's network namespace; a native sidecar (restartPolicy Always) is restarted whenever it exits,
    /// a plain init container runs once (its failure fails the replica's start).
    /// </summary>
    public static IReadOnlyList<Ports.ContainerSpec> InitContainers(DesiredApp app, DesiredService svc, int ordinal) =>
        [.. svc.Spec.Template.InitContainers.Select(c => new Ports.ContainerSpec(app, svc, ordinal, c, c.Sidecar ? ManagedLabels.SidecarContainer : ManagedLabels.InitContainer))];

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
}
