using GitOps.Cli.Api;
using GitOps.Cli.Output;
using GitOps.Runtime;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;

namespace GitOps.Cli.Daemon;

/// <summary>Engine records as Docker-shaped API documents.</summary>
internal static class Inspect
{
    static DateTime Utc(DateTimeOffset t) =>
        t == DateTimeOffset.MinValue ? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc) : t.UtcDateTime;

    public static ContainerInspect Container(Container c, Engine engine)
    {
        var cfg = c.Config;
        var s = c.State;
        var layers = SafeLayerDirs(engine, cfg.ImageId);
        return new ContainerInspect
        {
            Id = cfg.Id,
            Created = Utc(cfg.Created),
            Path = cfg.Path,
            Args = cfg.Args,
            State = new StateInspect(s.Status, s.Running, s.Status == ContainerStatus.Paused, s.Restarting, s.OOMKilled, s.Dead,
                s.Pid, s.ExitCode, s.Error, Utc(s.StartedAt), Utc(s.FinishedAt), Health(s.Health)),
            Image = cfg.ImageId,
            ResolvConfPath = c.Files.ResolvConf,
            HostnamePath = c.Files.Hostname,
            HostsPath = c.Files.Hosts,
            LogPath = c.Files.Log,
            Name = "/" + cfg.Name,
            RestartCount = s.RestartCount,
            HostConfig = cfg.HostConfig,
            // Docker lists volumes, binds and --mount tmpfs here; --tmpfs mounts show in HostConfig.Tmpfs only.
            Mounts = cfg.Mounts.Where(m => !(m.Type == "tmpfs" && cfg.HostConfig.Tmpfs.Keys.Any(k => Runtime.Storage.ContainerPath.Clean(k) == m.Destination)))
                .Select(m => new MountInspect(m.Type, m.Name, m.Source, m.Destination, m.Driver, m.Mode, m.RW, m.Propagation)).ToList(),
            GraphDriver = new GraphDriverData("overlay", new Dictionary<string, string>
            {
                ["LowerDir"] = string.Join(':', new[] { c.Files.InitLayer }.Concat(layers.Reverse())),
                ["UpperDir"] = c.Files.Upper,
                ["WorkDir"] = c.Files.Work,
                ["MergedDir"] = c.Files.Rootfs,
            }),
            Config = new ConfigInspect
            {
                Hostname = cfg.Hostname,
                Domainname = cfg.Domainname,
                User = cfg.User,
                AttachStdin = cfg.OpenStdin && cfg.StdinOnce,
                AttachStdout = true,
                AttachStderr = true,
                ExposedPorts = cfg.ExposedPorts.Count == 0 ? null : cfg.ExposedPorts.ToDictionary(p => p, _ => new EmptyObject()),
                Tty = cfg.Tty,
                OpenStdin = cfg.OpenStdin,
                StdinOnce = cfg.StdinOnce,
                Env = cfg.Env,
                Cmd = cfg.Cmd,
                Healthcheck = cfg.Healthcheck,
                Image = cfg.Image,
                Volumes = cfg.Volumes.Count == 0 ? null : cfg.Volumes.ToDictionary(p => p, _ => new EmptyObject()),
                WorkingDir = cfg.WorkingDir,
                Entrypoint = cfg.Entrypoint,
                Labels = cfg.Labels,
                StopSignal = cfg.StopSignal,
                StopTimeout = cfg.StopTimeout,
            },
            NetworkSettings = NetworkSettings(c, engine),
        };
    }

    static NetworkSettingsInspect NetworkSettings(Container c, Engine engine)
    {
        var s = c.State;
        var net = engine.Networks.Settings(c.Id);
        var ports = new Dictionary<string, IReadOnlyList<PortBinding>?>();
        foreach (var p in c.Config.ExposedPorts) ports[p] = null;
        foreach (var p in net?.Ports ?? [])
        {
            var key = $"{p.ContainerPort}/{p.Protocol}";
            var list = ports.GetValueOrDefault(key)?.ToList() ?? [];
            list.Add(new PortBinding(p.HostIp, p.HostPort.ToString()));
            ports[key] = list;
        }
        var primary = net?.Endpoints.FirstOrDefault();
        return new NetworkSettingsInspect
        {
            SandboxKey = s.Running ? $"/proc/{s.Pid}/ns/net" : "",
            Ports = ports,
            IPAddress = primary?.IPAddress ?? "",
            Gateway = primary?.Gateway ?? "",
            MacAddress = primary?.MacAddress ?? "",
            Networks = (net?.Endpoints ?? []).ToDictionary(e => e.NetworkName, e => new EndpointInspect(e.NetworkId, e.EndpointId,
                e.Gateway, e.IPAddress, e.PrefixLen, e.MacAddress, e.Aliases, [c.Name, .. e.Aliases, c.Id[..12]])),
        };
    }

    static IReadOnlyList<string> SafeLayerDirs(Engine engine, string imageId)
    {
        try { return engine.Images.Resolve(imageId).LayerDirs; }
        catch (NotFoundException) { return []; }
    }

    public static ContainerSummary Summary(Container c, Engine engine)
    {
        var cfg = c.Config;
        var s = c.State;
        var command = string.Join(' ', new[] { cfg.Path }.Concat(cfg.Args.Select(a => a.Contains(' ') ? $"'{a}'" : a)));
        var image = cfg.Image;
        if (engine.Images.Find(cfg.ImageId) is { } rec && engine.Images.Find(image)?.Id != rec.Id) image = rec.Id[7..19];
        var net = engine.Networks.Settings(cfg.Id);
        var ports = (net?.Ports ?? []).Select(p => new PortSummary(p.HostIp, p.ContainerPort, p.HostPort, p.Protocol)).ToList();
        // A running container lists its exposed ports that are not published too, as docker ps does.
        if (s.Running)
            foreach (var exposed in cfg.ExposedPorts)
            {
                var (number, proto) = GitOps.Runtime.Networking.NetworkManager.ParsePort(exposed);
                if (!ports.Any(p => p.PrivatePort == number && p.Type == proto)) ports.Add(new PortSummary(null, number, null, proto));
            }
        // Attached networks while running; the ones it will join otherwise.
        var networks = net is { Endpoints.Count: > 0 }
            ? net.Endpoints.ToDictionary(e => e.NetworkName, e => new SummaryNetwork(e.NetworkId, e.IPAddress))
            : ConfiguredNetworks(cfg).ToDictionary(n => n, _ => new SummaryNetwork("", ""));
        return new ContainerSummary(cfg.Id, ["/" + cfg.Name], image, cfg.ImageId, command, cfg.Created.ToUnixTimeSeconds(),
            s.Status, StatusText(s), cfg.Labels, ports)
        {
            HostConfig = new SummaryHostConfig(NetworkModeName(cfg.HostConfig.NetworkMode)),
            NetworkSettings = new SummaryNetworkSettings(networks),
        };
    }

    static string NetworkModeName(string mode) => mode is "" or "default" ? "bridge" : mode;

    static IEnumerable<string> ConfiguredNetworks(GitOps.Runtime.Containers.ContainerConfig cfg)
    {
        var mode = NetworkModeName(cfg.HostConfig.NetworkMode);
        if (mode.StartsWith("container:", StringComparison.Ordinal)) return [];
        return new[] { mode }.Concat(cfg.Networks.Keys).Distinct(StringComparer.Ordinal);
    }

    static HealthInspect? Health(Runtime.Health.HealthState? h) => h is null ? null :
        new HealthInspect(h.Status, h.FailingStreak, h.Log.Select(l => new HealthLogInspect(Utc(l.Start), Utc(l.End), l.ExitCode, l.Output)).ToList());

    public static string StatusText(ContainerState s)
    {
        switch (s.Status)
        {
            case ContainerStatus.Running:
                // Docker's wording: "(health: starting)", "(healthy)", "(unhealthy)".
                var health = s.Health?.Status switch
                {
                    Runtime.Health.HealthStatus.Starting => " (health: starting)",
                    Runtime.Health.HealthStatus.Healthy or Runtime.Health.HealthStatus.Unhealthy => $" ({s.Health.Status})",
                    _ => "",
                };
                return $"Up {Human.Duration(DateTimeOffset.UtcNow - s.StartedAt)}{health}";
            case ContainerStatus.Paused:
                return $"Up {Human.Duration(DateTimeOffset.UtcNow - s.StartedAt)} (Paused)";
            case ContainerStatus.Restarting:
                return $"Restarting ({s.ExitCode}) {Human.Ago(s.FinishedAt)}";
            case ContainerStatus.Exited:
                return $"Exited ({s.ExitCode}) {Human.Ago(s.FinishedAt)}";
            case ContainerStatus.Removing:
                return "Removal In Progress";
            case ContainerStatus.Dead:
                return "Dead";
            default:
                return "Created";
        }
    }

    public static ImageInspect Image(ImageRecord r, Engine engine)
    {
        var config = engine.Images.GetConfig(r.Id);
        var tags = engine.Images.TagsOf(r.Id).Select(t => ImageReference.Parse(t).Familiar).ToList();
        var dirs = config.RootFs.DiffIds.Select(engine.Images.LayerDir).ToList();
        return new ImageInspect(r.Id, tags, r.RepoDigests, Utc(r.Created), config.Author, config.Architecture, config.Os, r.Size,
            config.Config, config.RootFs, config.History,
            new GraphDriverData("overlay", new Dictionary<string, string> { ["LowerDir"] = string.Join(':', dirs.AsEnumerable().Reverse()) }));
    }

    public static ImageSummary ImageRow(ImageRecord r, Engine engine)
    {
        var config = engine.Images.GetConfig(r.Id);
        var tags = engine.Images.TagsOf(r.Id).Select(t => ImageReference.Parse(t).Familiar).ToList();
        return new ImageSummary(r.Id, tags, r.RepoDigests, r.Created.ToUnixTimeSeconds(), r.Size,
            engine.Containers.UsingImage(r.Id).Count, config.Config.Labels);
    }
}
