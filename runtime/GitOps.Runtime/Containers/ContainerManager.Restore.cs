using GitOps.Runtime.Images;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Logs;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Containers;

public sealed partial class ContainerManager
{
    /// <summary>
    /// Loads every container at daemon start. A container whose PID 1 still runs (same PID and start
    /// time) is re-adopted: its pidfd is reopened, its output FIFOs read on (what it wrote meanwhile
    /// waited in the pipe), and its exit code comes from the process-events connector. Containers
    /// that died meanwhile are marked exited; restart policies then apply as at boot in Docker.
    /// </summary>
    public void Restore()
    {
        var toRestart = new List<Container>();
        var adopted = new HashSet<string>();
        foreach (var dir in Directory.EnumerateDirectories(_paths.Containers))
        {
            var id = Path.GetFileName(dir);
            var files = new ContainerFiles(dir, id);
            ContainerConfig? config;
            ContainerState? state;
            try
            {
                config = AtomicFile.ReadJson(files.Config, RuntimeJson.Default.ContainerConfig);
                state = AtomicFile.ReadJson(files.State, RuntimeJson.Default.ContainerState);
            }
            catch (System.Text.Json.JsonException) { config = null; state = null; }
            if (config is null || state is null)
            {
                // A create that crashed before it was complete: nothing refers to it.
                ImageStore.DeleteTree(dir);
                continue;
            }
            var c = new Container(config, state, files, NewOutput(files, config.HostConfig));
            lock (_gate)
            {
                _byId[id] = c;
                _idByName[config.Name] = id;
            }

            if (state.Running && ProcStat.IsSameProcess(state.Pid, state.PidStartTime) && Sys.TryPidfdOpen(state.Pid) is { } pidfd)
            {
                _exitMonitor ??= new ProcExitMonitor();
                var proc = new RunningProcess(state.Pid, state.PidStartTime, pidfd, _cgroups.Open(id), isChild: false)
                {
                    StartedAt = state.StartedAt,
                };
                c.Process = proc;
                if (!config.Tty)
                {
                    var (stdout, stderr) = Stdio.Reattach(state.Pid);
                    if (stdout is not null)
                    {
                        c.Output.Open(StdStream.Stdout);
                        _pump.AddStream(stdout, d => c.Output.OnData(StdStream.Stdout, d), () => c.Output.OnEof(StdStream.Stdout));
                    }
                    if (stderr is not null)
                    {
                        c.Output.Open(StdStream.Stderr);
                        _pump.AddStream(stderr, d => c.Output.OnData(StdStream.Stderr, d), () => c.Output.OnEof(StdStream.Stderr));
                    }
                }
                _pump.AddPidfd(pidfd, () => OnExit(c, proc));
                try { _networks.Adopt(config, state.Pid); }
                catch (Exception e) when (e is IOException or EngineException) { Console.Error.WriteLine($"container {Ids.Short(id)}: re-adopting its network: {e.Message}"); }
                adopted.Add(id);
                continue;
            }

            var wasRunning = state.Running || state.Restarting;
            ReleaseSharedShm(c.Files); // it died while no one watched
            c.Update(s => s with
            {
                Status = s.StartedAt == DateTimeOffset.MinValue ? ContainerStatus.Created : ContainerStatus.Exited,
                Running = false, Restarting = false, Pid = 0, PidStartTime = 0,
                // It died while no one watched: its exit code is lost. Docker reports 255 then.
                ExitCode = wasRunning ? 255 : s.ExitCode,
                FinishedAt = wasRunning ? DateTimeOffset.UtcNow : s.FinishedAt,
                // Its check no longer runs: "unhealthy", as for any stopped container.
                Health = wasRunning ? Health.HealthRules.Stopped(s.Health) : s.Health,
            });
            var policy = config.HostConfig.RestartPolicy;
            if (policy.Name == "always" || (policy.Name == "unless-stopped" && !state.ManuallyStopped) ||
                (policy.Name == "on-failure" && wasRunning))
                toRestart.Add(c);
        }

        _networks.Reconcile();

        // Cgroups of containers that no longer exist, or that died while we were away.
        foreach (var id in _cgroups.List())
        {
            if (adopted.Contains(id)) continue;
            var cg = _cgroups.Open(id);
            try { cg.KillAll(); cg.Delete(); }
            catch (IOException e) { Console.Error.WriteLine($"cleanup of cgroup {id}: {e.Message}"); }
        }
        // Half-finished downloads and unpacks.
        foreach (var entry in Directory.EnumerateFileSystemEntries(_paths.Tmp))
        {
            if (Directory.Exists(entry)) ImageStore.DeleteTree(entry); else File.Delete(entry);
        }

        _storage.Restore(All());
        // Health checks of the re-adopted carry on from the status they had (it is in their state).
        foreach (var id in adopted)
            if (Find(id) is { } running) Notify(running, running: true);

        foreach (var c in toRestart)
        {
            _ = Task.Run(async () =>
            {
                await c.Lifecycle.WaitAsync().ConfigureAwait(false);
                try { if (c.Process is null && !c.Removed) StartLocked(c, manual: false); }
                catch (Exception e) { Console.Error.WriteLine($"container {Ids.Short(c.Id)}: restart at daemon start failed: {e.Message}"); }
                finally { c.Lifecycle.Release(); }
            });
        }
    }
}
