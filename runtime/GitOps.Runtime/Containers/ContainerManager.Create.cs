using GitOps.Runtime.Cgroups;
using GitOps.Runtime.Events;
using GitOps.Runtime.Images;
using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Logs;
using GitOps.Runtime.State;
using GitOps.Runtime.Storage;

namespace GitOps.Runtime.Containers;

/// <summary>Creating containers: the request checked, the image's defaults merged in, the state written.</summary>
public sealed partial class ContainerManager
{
    // ---- create ------------------------------------------------------------------------------

    public Container Create(CreateRequest req)
    {
        var sw = Trace ? System.Diagnostics.Stopwatch.StartNew() : null;
        CreateRequestLimits.Check(req);
        var image = _images.Resolve(req.Image);
        if (sw is not null) Console.Error.WriteLine($"trace create resolved image: {sw.Elapsed.TotalMilliseconds:0.00} ms");
        var h = req.HostConfig;
        Validate(req, h);
        h = ValidateSecurity(h);
        var networkPlan = _networks.Plan(h, req.Networks);
        if (networkPlan.Kind == Networking.NetworkModeKind.Container && req.Hostname is { Length: > 0 })
            throw new InvalidArgumentException("conflicting options: hostname and the network mode");
        if (networkPlan.Kind == Networking.NetworkModeKind.Container && req.ExposedPorts.Count > 0)
            throw new InvalidArgumentException("conflicting options: port exposing and the container type network mode");
        var cfg = image.Config.Config;
        var command = CommandResolver.Resolve(cfg.Entrypoint, cfg.Cmd, req.Entrypoint, req.Cmd);
        var id = Ids.New();
        string name;
        lock (_gate)
        {
            name = req.Name?.TrimStart('/') ?? NameGenerator.Generate(_idByName.ContainsKey);
            if (!Ids.IsValidName(name))
                throw new InvalidArgumentException($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
            if (_idByName.TryGetValue(name, out var existing))
                throw new ConflictException($"Conflict. The container name \"/{name}\" is already in use by container \"{existing}\". You have to remove (or rename) that container to be able to reuse that name.");
            _idByName[name] = id; // reserved; released below if anything fails
        }
        var files = new ContainerFiles(_paths.Container(id), id);
        StoragePlan? storage = null;
        try
        {
            storage = _storage.Plan(id, req, cfg.Volumes?.Keys.ToList() ?? [], Find);
            // --network host: the host's name, as Docker does (the UTS namespace stays private).
            var hostname = req.Hostname is { Length: > 0 } hn ? hn
                : networkPlan.Kind == Networking.NetworkModeKind.Host ? ContainerFiles.HostHostname() : Ids.Short(id);
            var config = new ContainerConfig
            {
                Id = id,
                Name = name,
                Image = req.Image,
                ImageId = image.Record.Id,
                Created = DateTimeOffset.UtcNow,
                Path = command.Command[0],
                Args = command.Command.Skip(1).ToList(),
                Cmd = command.Cmd,
                Entrypoint = command.Entrypoint,
                Env = MergeRequestEnv(cfg.Env ?? [], req.Env),
                WorkingDir = req.WorkingDir ?? cfg.WorkingDir ?? "",
                User = req.User ?? cfg.User ?? "",
                Hostname = hostname,
                Domainname = req.Domainname ?? "",
                Tty = req.Tty,
                OpenStdin = req.OpenStdin,
                StdinOnce = req.StdinOnce,
                Labels = new Dictionary<string, string>((cfg.Labels ?? []).Concat(req.Labels).GroupBy(kv => kv.Key).Select(g => g.Last())),
                StopSignal = req.StopSignal ?? cfg.StopSignal ?? "SIGTERM",
                StopTimeout = req.StopTimeout ?? 10,
                Healthcheck = Health.HealthSpec.Merge(req.Healthcheck, cfg.Healthcheck),
                ExposedPorts = (cfg.ExposedPorts?.Keys.AsEnumerable() ?? []).Concat(req.ExposedPorts.Select(NormalizePort))
                    .Concat(h.PortBindings.Keys.Select(NormalizePort)).Distinct().ToList(),
                Networks = req.Networks,
                Volumes = cfg.Volumes?.Keys.ToList() ?? [],
                HostConfig = h,
                Mounts = storage.Mounts,
                Secrets = storage.Secrets,
                Configs = storage.Configs,
                SecretEnv = storage.SecretEnv,
                SecretEnvFrom = storage.SecretEnvFrom,
                KubeEnv = req.KubeEnv,
            };
            Signals.Parse(config.StopSignal);
            files.Create(hostname,
                networkPlan.Kind == Networking.NetworkModeKind.Host ? ContainerFiles.HostHosts() : ContainerFiles.DefaultHosts(hostname),
                _networks.ResolvConf(networkPlan, h));
            AtomicFile.WriteJson(files.Config, config, RuntimeJson.Default.ContainerConfig, syncDirectory: false);
            var container = new Container(config, new ContainerState(), files, NewOutput(files, h));
            container.Update(s => s);
            // One directory sync makes the container (config and state) durable before create returns.
            AtomicFile.SyncDirectory(files.Dir);
            AtomicFile.SyncDirectory(_paths.Containers);
            lock (_gate) _byId[id] = container;
            Publish(container, "create");
            if (sw is not null) Console.Error.WriteLine($"trace create: {sw.Elapsed.TotalMilliseconds:0.00} ms");
            return container;
        }
        catch
        {
            lock (_gate) _idByName.Remove(name);
            if (storage is not null) _storage.Abandon(id, storage);
            if (Directory.Exists(files.Dir)) ImageStore.DeleteTree(files.Dir);
            throw;
        }
    }

    void Validate(CreateRequest req, HostConfig h)
    {
        if (Health.HealthSpec.Validate(req.Healthcheck) is [var healthError, ..]) throw new InvalidArgumentException(healthError);
        if (GitOps.Runtime.Storage.KubeEnvironment.Problems(req).ToList() is { Count: > 0 } envProblems) throw new InvalidArgumentException(string.Join("\n", envProblems));
        if (h.Memory is > 0 and < 6 * 1024 * 1024)
            throw new InvalidArgumentException("Minimum memory limit allowed is 6MB");
        if (h.Memory < 0) throw new InvalidArgumentException("invalid memory limit: must be positive");
        if (h.MemorySwap > 0 && h.Memory > 0 && h.MemorySwap < h.Memory)
            throw new InvalidArgumentException("Minimum memoryswap limit should be larger than memory limit, see usage");
        if (h.NanoCpus < 0) throw new InvalidArgumentException("invalid --cpus: must be positive");
        if (h.NanoCpus > 0 && h.NanoCpus > Environment.ProcessorCount * 1_000_000_000L)
            throw new InvalidArgumentException($"range of CPUs is from 0.01 to {Environment.ProcessorCount}.00, as there are only {Environment.ProcessorCount} CPUs available");
        if (h.AutoRemove && h.RestartPolicy.Name != "no")
            throw new InvalidArgumentException("Conflicting options: --restart and --rm");
        if (h.Init && _tiniPath is null)
            throw new InvalidArgumentException("--init needs tini, which is not installed (apt-get install tini)");
        if (req.StopTimeout is < -1) throw new InvalidArgumentException("invalid stop timeout");
        foreach (var port in h.PortBindings.Keys.Concat(req.ExposedPorts)) Networking.NetworkManager.ParsePort(port);
    }

    static string NormalizePort(string port)
    {
        var (number, proto) = Networking.NetworkManager.ParsePort(port);
        return $"{number}/{proto}";
    }

    /// <summary>
    /// The image's variables with the request's applied. An entry without '=' unsets the variable, as Docker's
    /// daemon does: the client resolves `-e NAME` from its own environment, so the daemon must never fill it from
    /// the daemon's environment (that would hand the daemon's secrets to whoever can create a container).
    /// </summary>
    static IReadOnlyList<string> MergeRequestEnv(IReadOnlyList<string> image, IReadOnlyList<string> request)
    {
        var unset = request.Where(e => !e.Contains('=')).ToHashSet(StringComparer.Ordinal);
        var kept = unset.Count == 0 ? image : image.Where(e => !unset.Contains(e.IndexOf('=') is var i and >= 0 ? e[..i] : e)).ToList();
        return ConfigChanges.MergeEnv(kept, request.Where(e => e.Contains('=')).Select(e =>
        {
            var i = e.IndexOf('=');
            return new KeyValuePair<string, string>(e[..i], e[(i + 1)..]);
        }));
    }

    static ContainerOutput NewOutput(ContainerFiles files, HostConfig h) =>
        new(new JsonFileLog(files.Log, h.LogMaxSize, h.LogMaxFiles));
}
