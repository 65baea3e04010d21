using GitOps.Runtime.Cgroups;
using GitOps.Runtime.Events;
using GitOps.Runtime.Images;
using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Logs;
using GitOps.Runtime.State;
using GitOps.Runtime.Storage;

namespace GitOps.Runtime.Containers;

/// <summary>Removing, renaming and (dis)connecting containers.</summary>
public sealed partial class ContainerManager
{
    // ---- remove ------------------------------------------------------------------------------

    /// <param name="removeVolumes">rm -v: also remove the container's anonymous volumes (named ones stay).</param>
    public async Task RemoveAsync(string idOrName, bool force, CancellationToken ct = default, bool removeVolumes = false)
    {
        var c = Get(idOrName);
        await c.Lifecycle.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (c.Removed) return;
            CancelPendingRestart(c);
            if (c.Process is { } proc)
            {
                if (!force)
                    throw new ConflictException($"cannot remove container \"/{c.Name}\": container is running: stop the container before removing or force remove");
                proc.StopRequested = true;
                Sys.PidfdSendSignal(proc.Pidfd, 9);
                Publish(c, "kill", ("signal", "9"));
                await proc.Exited.Task.ConfigureAwait(false);
            }
            var sw = Trace ? System.Diagnostics.Stopwatch.StartNew() : null;
            c.Removed = true;
            // OnExit removes the cgroup off its own path: let that finish rather than race it.
            await c.CgroupRemoval.ConfigureAwait(false);
            var cgroup = _cgroups.Open(c.Id);
            try { if (cgroup.Exists) { cgroup.KillAll(); cgroup.Delete(); } }
            catch (IOException) { cgroup.Delete(); } // a hierarchy vanished under KillAll; Delete tolerates missing ones
            c.Output.Dispose();
            // One rename takes the container out of the store atomically; the files go in the background
            // (a restart finishes the job, it empties tmp/).
            var doomed = Path.Combine(_paths.Tmp, "removed-" + c.Id);
            ReleaseSharedShm(c.Files);
            Directory.Move(c.Files.Dir, doomed);
            _storage.Removed(c.Config, removeVolumes);
            _ = Task.Run(() =>
            {
                try { ImageStore.DeleteTree(doomed); }
                catch (IOException e) { Console.Error.WriteLine($"removing {doomed}: {e.Message}"); }
            });
            lock (_gate)
            {
                _byId.Remove(c.Id);
                if (_idByName.TryGetValue(c.Name, out var id) && id == c.Id) _idByName.Remove(c.Name);
                _removed[c.Id] = (c.State.ExitCode, Environment.TickCount64);
                if (_removed.Count > 1024)
                    foreach (var old in _removed.Where(r => Environment.TickCount64 - r.Value.At > 60_000).Select(r => r.Key).ToList())
                        _removed.Remove(old);
            }
            Publish(c, "destroy");
            if (sw is not null) Console.Error.WriteLine($"trace remove: {sw.Elapsed.TotalMilliseconds:0.00} ms");
            c.RemovedSignal.TrySetResult();
        }
        finally { c.Lifecycle.Release(); }
    }

    /// <summary>docker network connect: kept in the config for later starts, applied at once if running.</summary>
    public async Task ConnectAsync(string idOrName, string network, Networking.EndpointRequest request)
    {
        var c = Get(idOrName);
        var net = _networks.Get(network);
        await c.Lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (c.Config.HostConfig.NetworkMode is "none" or "host" || c.Config.HostConfig.NetworkMode.StartsWith("container:", StringComparison.Ordinal))
                throw new ConflictException($"container cannot be connected to network {net.Name}: its network mode is {c.Config.HostConfig.NetworkMode}");
            if (c.Process is { } p) _networks.Connect(c.Config, p.Pid, net, request);
            c.Config = c.Config with { Networks = new Dictionary<string, Networking.EndpointRequest>(c.Config.Networks) { [net.Name] = request } };
            AtomicFile.WriteJson(c.Files.Config, c.Config, RuntimeJson.Default.ContainerConfig);
        }
        finally { c.Lifecycle.Release(); }
    }

    public async Task DisconnectAsync(string idOrName, string network)
    {
        var c = Get(idOrName);
        var net = _networks.Get(network);
        await c.Lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (c.Process is not null) _networks.Disconnect(c.Config, net);
            var networks = new Dictionary<string, Networking.EndpointRequest>(c.Config.Networks);
            networks.Remove(net.Name);
            networks.Remove(net.Id);
            var h = c.Config.HostConfig;
            // Leaving the network of --network leaves the container with no network at its next start, as Docker does.
            if (_networks.Find(h.NetworkMode)?.Id == net.Id || (net.IsDefault && h.NetworkMode is "bridge" or "default" or ""))
                h = h with { NetworkMode = "none" };
            c.Config = c.Config with { Networks = networks, HostConfig = h };
            AtomicFile.WriteJson(c.Files.Config, c.Config, RuntimeJson.Default.ContainerConfig);
        }
        finally { c.Lifecycle.Release(); }
    }

    public void Rename(string idOrName, string newName)
    {
        var c = Get(idOrName);
        newName = newName.TrimStart('/');
        if (!Ids.IsValidName(newName)) throw new InvalidArgumentException($"Invalid container name ({newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        lock (_gate)
        {
            if (_idByName.TryGetValue(newName, out var other) && other != c.Id)
                throw new ConflictException($"Conflict. The container name \"/{newName}\" is already in use by container \"{other}\". You have to remove (or rename) that container to be able to reuse that name.");
            _idByName.Remove(c.Name);
            _idByName[newName] = c.Id;
            c.Config = c.Config with { Name = newName };
            AtomicFile.WriteJson(c.Files.Config, c.Config, RuntimeJson.Default.ContainerConfig);
        }
        _networks.Renamed(c.Id, newName); // the embedded DNS answers the new name from now on
        Publish(c, "rename");
    }
}
