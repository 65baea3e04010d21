using System.Globalization;
using GitOps.Runtime.Init;

namespace GitOps.Runtime.Containers;

/// <summary>
/// What Kubernetes pods need of the engine beyond Docker's model: a container's environment resolved with the
/// node's fields when its process is released (<see cref="KubeEnv"/>), and a start held before the user's
/// process runs, so a pod's init containers and sidecars can run in its network namespace first.
/// </summary>
public sealed partial class ContainerManager
{
    /// <summary>This node: its name and address for spec.nodeName and status.hostIP.</summary>
    public NodeInfo Node { get; init; } = new();

    /// <summary>
    /// Starts a container as far as its process's exec: namespaces, cgroup, network (and so its address) exist,
    /// other containers may join them, the user's command does not run. <see cref="ReleaseAsync"/> runs it;
    /// stopping or removing the container ends it without running it. Health checks begin at release.
    /// </summary>
    public async Task StartHeldAsync(string idOrName, CancellationToken ct = default)
    {
        var c = Get(idOrName);
        await c.Lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (c.Removed) throw new NotFoundException($"No such container: {idOrName}");
            if (c.Process is not null) throw new NotModifiedException("container already started");
            c.PendingRestart?.Cancel();
            c.PendingRestart = null;
            StartLocked(c, manual: true, hold: true);
        }
        finally { c.Lifecycle.Release(); }
    }

    /// <summary>Runs the command of a container started with <see cref="StartHeldAsync"/>.</summary>
    public async Task ReleaseAsync(string idOrName, CancellationToken ct = default)
    {
        var c = Get(idOrName);
        await c.Lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var proc = c.Process;
            if (proc?.Held is not { } held) throw new NotModifiedException("container is not held");
            proc.Held = null;
            try { ContainerLauncher.Release(held, GoMessage(c)); }
            catch (Exception e) when (e is not StartFailedException)
            {
                // Nothing may run with half an environment: the helper goes, its exit is recorded as any other.
                Linux.Sys.PidfdSendSignal(proc.Pidfd, 9);
                throw;
            }
            finally { held.Dispose(); }
            c.Update(s => s with { StartedAt = DateTimeOffset.UtcNow });
            Notify(c, running: true);
            Publish(c, "start");
        }
        finally { c.Lifecycle.Release(); }
    }

    /// <summary>Whether the container was started held and not yet released.</summary>
    public bool IsHeld(string idOrName) => Find(idOrName)?.Process?.Held is not null;

    /// <summary>The environment of the container's process (and of exec sessions in it): Kubernetes' rules when it has them.</summary>
    internal IReadOnlyList<string> ProcessEnvironment(Container c) =>
        c.Config.KubeEnv is null ? _storage.Environment(c.Config) : GitOps.Runtime.Storage.KubeEnvironment.Resolve(c.Config, _storage, (path, divisor) => Field(c, path, divisor)).Env;

    /// <summary>The go message of a container with a Kubernetes environment: its process's final environment and arguments.</summary>
    InitMessage GoMessage(Container c)
    {
        var config = c.Config;
        if (config.KubeEnv is null) return new InitMessage(InitMessage.Go);
        var resolved = GitOps.Runtime.Storage.KubeEnvironment.Resolve(config, _storage, (path, divisor) => Field(c, path, divisor));
        var hostname = NetworkOwner(c).Config.Hostname;
        var env = new List<string>();
        if (!resolved.Env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal))) env.Add("PATH=" + Defaults.Path);
        env.Add("HOSTNAME=" + hostname);
        if (config.Tty) env.Add("TERM=xterm");
        env.AddRange(resolved.Env);
        return new InitMessage(InitMessage.Go, Env: env, Args: resolved.Command);
    }

    /// <summary>A node field's value for container <paramref name="c"/>, as the kubelet fills it in.</summary>
    string Field(Container c, string path, long divisor)
    {
        static string Ceil(long amount, long unit) => ((amount + Math.Max(unit, 1) - 1) / Math.Max(unit, 1)).ToString(CultureInfo.InvariantCulture);
        return path switch
        {
            KubeFields.NodeName => Node.Name,
            KubeFields.HostIP or KubeFields.HostIPs => Node.Address,
            KubeFields.PodIP or KubeFields.PodIPs => PodAddress(c),
            // The pod is its network namespace's owner: its ID names the pod for the replica's whole life.
            KubeFields.PodUid => Uuid(NetworkOwner(c).Id),
            KubeFields.AllocatableCpu => Ceil(NodeInfo.AllocatableMilliCpu, divisor),
            KubeFields.AllocatableMemory => Ceil(NodeInfo.AllocatableMemory, divisor),
            KubeFields.AllocatableStorage => Ceil(NodeInfo.AllocatableStorage(_paths.Root), divisor),
            _ => throw new InvalidArgumentException($"unknown field \"{path}\""),
        };
    }

    /// <summary>The pod's address: its first network's, the node's on the host's network, empty without a network.</summary>
    string PodAddress(Container c)
    {
        var owner = NetworkOwner(c);
        var plan = _networks.Plan(owner.Config.HostConfig, owner.Config.Networks);
        return plan.Kind switch
        {
            Networking.NetworkModeKind.Host => Node.Address,
            Networking.NetworkModeKind.Bridge => _networks.Settings(owner.Id)?.Endpoints.FirstOrDefault()?.IPAddress ?? "",
            _ => "",
        };
    }

    /// <summary>The container whose network namespace <paramref name="c"/> uses (following container:NAME), itself otherwise.</summary>
    Container NetworkOwner(Container c)
    {
        for (var depth = 0; depth < 8 && c.Config.HostConfig.NetworkMode.StartsWith("container:", StringComparison.Ordinal); depth++)
            c = Find(c.Config.HostConfig.NetworkMode[10..]) ?? c;
        return c;
    }

    static string Uuid(string id) => $"{id[..8]}-{id[8..12]}-{id[12..16]}-{id[16..20]}-{id[20..32]}";
}
