using System.Globalization;
using GitOps.Reconciler.Model;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;
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
    public static DesiredApp Compile(string app, string project, string revision, Application model)
    {
        var warnings = new List<string>();
        foreach (var u in model.Unsupported) warnings.Add($"{u.Kind} {u.Name}: not run by gitops (kind {u.ApiVersion}/{u.Kind} is not supported)");
        var networks = model.Networks.Values.Select(n => new DesiredNetwork(n.Key, n.Name ?? $"{project}_{n.Key}", n.External, n.Internal,
            n.Ipam.FirstOrDefault()?.Subnet, n.Ipam.FirstOrDefault()?.Gateway)).ToList();
        var volumes = model.Volumes.Values.Select(v => new DesiredVolume(v.Key, v.Name ?? $"{project}_{v.Key}", v.External, v.Driver)).ToList();
        var secrets = model.Secrets.Values.Select(s => new DesiredSecret(s.Key, s.Name ?? $"{project}_{s.Key}", s.External, false,
                s.Content?.Digest ?? (s.Data.IsEmpty ? null : string.Join(",", s.Data.Select(kv => kv.Key + "=" + kv.Value.Digest)))))
            .Concat(model.Configs.Values.Select(c => new DesiredSecret(c.Key, c.Name ?? $"{project}_{c.Key}", c.External, true, c.FileDigest ?? ConfigDigest(c))))
            .ToList();
        var services = model.Services.Values.Select(s => new DesiredService(
            s.Name, Hashing.SpecHash.OfTemplate(s), s.Replication.Mode == ReplicationMode.Global ? 1 : s.Replication.Replicas,
            s.Kind == WorkloadKind.StatefulSet ? 0 : 1, s.Update, s.DependsOn.ToList(),
            s.Template.Containers.FirstOrDefault()?.Health is { Action.Kind: not ProbeKind.Disabled }, s.Template.StopGracePeriod, s)).ToList();

        var routers = new List<DesiredRouter>();
        var names = networks.ToDictionary(n => n.Key, n => n.EngineName, StringComparer.Ordinal);
        foreach (var s in model.Services.Values)
        {
            if (!UsesRouter(s)) continue;
            var net = FirstNetwork(s, names, project);
            if (net is null) { warnings.Add($"service {s.Name}: published ports need a bridge network; not published"); continue; }
            foreach (var p in s.Ports)
                routers.Add(new DesiredRouter($"{project}-{s.Name}-{p.Target}-{p.Protocol}", s.Name, net, p.Target, p.Protocol, p.Published, [(s.Name, p.Target)]));
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
        return new DesiredApp(app, project, revision, networks, volumes, secrets, services, routers, warnings);
    }

    /// <summary>A config's content digest: configs are not secret, but a digest keeps plans short.</summary>
    static string ConfigDigest(Config c)
    {
        var text = c.Content ?? string.Join("\n", c.Data.Select(kv => kv.Key + "=" + kv.Value).Concat(c.BinaryData.Select(kv => kv.Key + "=" + kv.Value)));
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>
    /// Plain Compose with one replica publishes on the container itself, as <c>docker compose</c> does; Swarm
    /// stacks, several replicas and start-first updates need an address that outlives any one replica.
    /// </summary>
    public static bool UsesRouter(Service s) =>
        s.Ports.Count > 0 && s.Template.NetworkMode.Kind is NetworkModeKind.Default or NetworkModeKind.Bridge &&
        (s.Format != SourceFormat.Compose || s.Replication.Replicas > 1 || s.Update is { Kind: UpdateKind.Rolling, MaxSurge.Value: > 0 });

    static string? FirstNetwork(Service s, IReadOnlyDictionary<string, string> names, string project) =>
        s.Template.NetworkMode.Kind is NetworkModeKind.Default or NetworkModeKind.Bridge
            ? s.Template.Networks.OrderByDescending(n => n.Priority).Select(n => names.GetValueOrDefault(n.Network) ?? $"{project}_{n.Network}").FirstOrDefault()
            : null;

    /// <summary>The engine requests for replica <paramref name="ordinal"/>: the first container owns the network namespace, sidecars join it.</summary>
    public static IReadOnlyList<CreateRequest> Replica(DesiredApp app, DesiredService svc, int ordinal, Func<string, string?> secretEnv)
    {
        var s = svc.Spec;
        var t = s.Template;
        var main = svc.ReplicaName(app.Project, ordinal);
        var result = new List<CreateRequest>();
        var networkNames = app.Networks.ToDictionary(n => n.Key, n => n.EngineName, StringComparer.Ordinal);
        for (var i = 0; i < t.Containers.Count; i++)
        {
            var c = t.Containers[i];
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
            var req = new CreateRequest
            {
                Image = c.Image,
                Name = i == 0 ? main : $"{main}-{c.Name}",
                Entrypoint = c.Entrypoint?.ToList(),
                Cmd = c.Command?.ToList(),
                Env = Env(c, app, secretEnv),
                WorkingDir = c.WorkingDir,
                User = c.User,
                Hostname = i == 0 ? t.Hostname : null,
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
            h.RestartPolicy = Restart(t.Restart);
            h.Init = c.Init;
            h.Memory = c.Resources.MemoryLimit ?? 0;
            h.NanoCpus = c.Resources.CpuLimit ?? 0;
            h.PidsLimit = c.Resources.PidsLimit ?? 0;
            h.ReadonlyRootfs = c.Security.ReadOnlyRootFilesystem;
            h.CapAdd = c.Security.CapAdd.ToList();
            h.CapDrop = c.Security.CapDrop.ToList();
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
                if (!UsesRouter(s))
                    foreach (var p in s.Ports)
                    {
                        var key = $"{p.Target}/{p.Protocol.ToLowerInvariant()}";
                        if (!h.PortBindings.TryGetValue(key, out var list)) h.PortBindings[key] = list = [];
                        list.Add(new PortBindingRequest { HostIp = p.HostIp ?? "", HostPort = p.Published?.ToString(CultureInfo.InvariantCulture) ?? "" });
                    }
            }
            result.Add(req);
        }
        return result;
    }

    static List<string> Env(Model.Container c, DesiredApp app, Func<string, string?> secretEnv)
    {
        var env = new List<string>();
        foreach (var e in c.Env)
        {
            if (e.Value is not null) env.Add($"{e.Name}={e.Value}");
            else if (e.From is { } from && secretEnv(from.Kind + "/" + from.Name + "/" + from.Key) is { } value) env.Add($"{e.Name}={value}");
        }
        return env;
    }

    static HealthConfig? Health(Probe? p)
    {
        if (p is null) return null;
        IReadOnlyList<string>? test = p.Action.Kind switch
        {
            ProbeKind.Exec => ["CMD", .. p.Action.Command],
            ProbeKind.Shell => ["CMD-SHELL", string.Join(' ', p.Action.Command)],
            ProbeKind.Disabled => ["NONE"],
            // HTTP and TCP probes are checked by the reconciler from outside (no tool in the image needed).
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
