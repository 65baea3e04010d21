using GitOps.Runtime.Cgroups;
using GitOps.Runtime.Events;
using GitOps.Runtime.Images;
using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Logs;
using GitOps.Runtime.State;
using GitOps.Runtime.Storage;

namespace GitOps.Runtime.Containers;

/// <summary>A container's exit: its state recorded and its restart policy applied.</summary>
public sealed partial class ContainerManager
{
    // ---- exit --------------------------------------------------------------------------------

    static readonly bool Trace = Environment.GetEnvironmentVariable("GITOPS_TRACE") == "1";

    void OnExit(Container c, RunningProcess proc)
    {
        var sw = Trace ? System.Diagnostics.Stopwatch.StartNew() : null;
        ExitStatus status;
        try
        {
            status = proc.IsChild
                ? Sys.WaitPidfd(proc.Pidfd, block: true) ?? new ExitStatus(255, 0, false)
                : _exitMonitor?.TakeExit(proc.Pid) ?? new ExitStatus(255, 0, false);
        }
        catch (ErrnoException) { status = new ExitStatus(255, 0, false); }

        // Let the pump read what the container wrote last (the FIFOs reach end-of-file once every
        // process of the container is gone), so `run` and `logs` show the final lines.
        c.Output.Drained.Wait(TimeSpan.FromSeconds(2));
        if (sw is not null) Console.Error.WriteLine($"trace exit drained: {sw.Elapsed.TotalMilliseconds:0.00} ms");
        var oom = false;
        try
        {
            oom = proc.Cgroup.OomKilled();
            proc.Cgroup.KillAll();
        }
        catch (IOException e) { Console.Error.WriteLine($"container {Ids.Short(c.Id)}: cgroup cleanup: {e.Message}"); }
        // rmdir can be refused for a moment after the last task left: let it happen off this path.
        var cgroup = proc.Cgroup;
        c.CgroupRemoval = Task.Run(() =>
        {
            try { cgroup.Delete(); }
            catch (IOException e) { Console.Error.WriteLine($"container {Ids.Short(c.Id)}: cgroup removal: {e.Message}"); }
        });
        foreach (var hook in _hooks)
        {
            try { hook.AfterStop(c.Config); }
            catch (Exception e) { Console.Error.WriteLine($"container {Ids.Short(c.Id)}: {e.Message}"); }
        }
        _storage.Stopped(c.Config);
        ReleaseSharedShm(c.Files);
        proc.Dispose();
        if (sw is not null) Console.Error.WriteLine($"trace exit cgroup gone: {sw.Elapsed.TotalMilliseconds:0.00} ms");

        var ranFor = DateTimeOffset.UtcNow - proc.StartedAt;
        var state = c.Update(s => s with
        {
            Status = ContainerStatus.Exited, Running = false, Pid = 0, PidStartTime = 0,
            ExitCode = status.ShellCode, OOMKilled = oom, FinishedAt = DateTimeOffset.UtcNow,
        });
        c.Process = null;
        Notify(c, running: false);
        c.Output.CompleteSubscribers();
        if (oom) Publish(c, "oom");
        Publish(c, "die", ("exitCode", state.ExitCode.ToString()));
        proc.Exited.TrySetResult(status);
        if (sw is not null) Console.Error.WriteLine($"trace exit recorded: {sw.Elapsed.TotalMilliseconds:0.00} ms");

        if (c.Removed) return;
        if (c.Config.HostConfig.AutoRemove)
        {
            // --rm takes anonymous volumes along, as Docker's. A failure must show, and must not leave
            // `run --rm` (wait condition=removed) waiting forever.
            _ = RemoveAsync(c.Id, force: true, removeVolumes: true).ContinueWith(t =>
            {
                var why = t.Exception!.GetBaseException();
                Console.Error.WriteLine($"container {Ids.Short(c.Id)}: auto-remove failed: {why.Message}");
                c.RemovedSignal.TrySetException(why);
            }, TaskContinuationOptions.OnlyOnFaulted);
            return;
        }
        if (!proc.StopRequested && ShouldRestart(c.Config.HostConfig.RestartPolicy, state)) ScheduleRestart(c, ranFor);
    }

    static bool ShouldRestart(RestartPolicy policy, ContainerState state) => policy.Name switch
    {
        "always" => true,
        "unless-stopped" => !state.ManuallyStopped,
        "on-failure" => state.ExitCode != 0 && (policy.MaximumRetryCount == 0 || state.RestartCount < policy.MaximumRetryCount),
        _ => false,
    };

    /// <summary>
    /// Docker's back-off: 100 ms, doubled after each restart, at most a minute; a container that ran
    /// for 10 s or more is considered healthy again and the delay starts over.
    /// </summary>
    void ScheduleRestart(Container c, TimeSpan ranFor)
    {
        var count = c.State.RestartCount;
        var attempt = ranFor >= TimeSpan.FromSeconds(10) ? 0 : Math.Min(count, 10);
        var delay = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, attempt), 60_000));
        var cts = new CancellationTokenSource();
        c.PendingRestart = cts;
        c.Update(s => s with { Status = ContainerStatus.Restarting, Restarting = true });
        _ = Task.Run(async () =>
        {
            try { await Task.Delay(delay, cts.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            await c.Lifecycle.WaitAsync().ConfigureAwait(false);
            try
            {
                if (cts.IsCancellationRequested || c.Removed || c.Process is not null) return;
                c.PendingRestart = null;
                c.Update(s => s with { RestartCount = s.RestartCount + 1 });
                StartLocked(c, manual: false);
                Publish(c, "restart");
            }
            catch (Exception e)
            {
                c.Update(s => s with { Status = ContainerStatus.Exited, Restarting = false, Error = e.Message });
                Console.Error.WriteLine($"container {Ids.Short(c.Id)}: restart failed: {e.Message}");
            }
            finally { c.Lifecycle.Release(); }
        });
    }
}
