using GitOps.Runtime.Cgroups;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Logs;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Containers;

/// <summary>One container: its fixed config, its persisted state, and while it runs, its process.</summary>
public sealed class Container
{
    readonly Lock _stateGate = new();
    ContainerState _state;

    internal Container(ContainerConfig config, ContainerState state, ContainerFiles files, ContainerOutput output)
    {
        Config = config;
        _state = state;
        Files = files;
        Output = output;
    }

    public ContainerConfig Config { get; internal set; }
    public ContainerFiles Files { get; }
    public string Id => Config.Id;
    public string Name => Config.Name;

    public ContainerState State
    {
        get { lock (_stateGate) return _state; }
    }

    /// <summary>Serialises lifecycle operations (start, stop, remove) on this container.</summary>
    internal SemaphoreSlim Lifecycle { get; } = new(1, 1);
    internal ContainerOutput Output { get; }
    internal RunningProcess? Process { get; set; }
    internal CancellationTokenSource? PendingRestart { get; set; }
    internal bool Removed { get; set; }
    internal TaskCompletionSource RemovedSignal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>
    /// The removal of the last run's cgroup, which happens off the exit path. A start waits for it:
    /// the next run's cgroup has the same path, and a late rmdir must not take it (or race its creation).
    /// </summary>
    internal Task CgroupRemoval { get; set; } = Task.CompletedTask;

    /// <summary>
    /// Changes and persists the state atomically (write, fsync, rename). The directory is not synced:
    /// after a crash the previous state may be read back, which restore handles (it checks the PID).
    /// </summary>
    internal ContainerState Update(Func<ContainerState, ContainerState> change)
    {
        lock (_stateGate)
        {
            _state = change(_state);
            if (!Removed) AtomicFile.WriteJson(Files.State, _state, RuntimeJson.Default.ContainerState, syncDirectory: false);
            return _state;
        }
    }

    /// <summary>A task that completes when the current run ends (immediately if not running).</summary>
    public Task<ExitStatus> WhenExited => Process?.Exited.Task ?? Task.FromResult(new ExitStatus(State.ExitCode, 0, false));
}

/// <summary>The live process of a running container.</summary>
internal sealed class RunningProcess(int pid, ulong startTime, SafeFd pidfd, ICgroup cgroup, bool isChild) : IDisposable
{
    public int Pid => pid;
    public ulong StartTime => startTime;
    public SafeFd Pidfd => pidfd;
    public ICgroup Cgroup => cgroup;
    /// <summary>False for a container re-adopted after a daemon restart: init is its parent now.</summary>
    public bool IsChild => isChild;
    public SafeFd? StdinWrite { get; set; }
    public SafeFd? PtyWrite { get; set; }
    public TaskCompletionSource<ExitStatus> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public bool StopRequested { get; set; }
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>The sync channel of a process held before its exec (see <see cref="ContainerManager.StartHeldAsync"/>); null once it runs.</summary>
    public Init.SyncChannel? Held { get; set; }

    public void CloseStdin()
    {
        StdinWrite?.Dispose();
        StdinWrite = null;
    }

    public void Dispose()
    {
        Held?.Dispose();
        pidfd.Dispose();
        StdinWrite?.Dispose();
        PtyWrite?.Dispose();
    }
}
