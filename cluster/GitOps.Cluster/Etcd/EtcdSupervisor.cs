using System.Diagnostics;
using GitOps.Runtime.Linux;

namespace GitOps.Cluster.Etcd;

/// <summary>
/// Runs this manager's etcd member (Debian's etcd-server) as a child of the daemon: restarted with back-off
/// if it dies, stopped (SIGTERM, then SIGKILL) when the daemon stops.
///
/// .NET cannot set PR_SET_PDEATHSIG on a child, so a daemon killed with SIGKILL leaves etcd running. That
/// is deliberate: the member keeps the cluster's quorum while its daemon restarts (a kill -9 of one daemon
/// is not the loss of a manager). etcd runs in a session of its own (setsid) with its output in a file,
/// never a pipe to the daemon, so it outlives the daemon cleanly; its pid and start time are recorded in
/// ROOT/etcd/etcd.pid, and the next daemon adopts it when its command line is still the one it would run,
/// or stops it and starts its own.
/// </summary>
internal sealed class EtcdSupervisor : IAsyncDisposable
{
    public const string Binary = "/usr/bin/etcd";
    const int SIGTERM = 15, SIGKILL = 9;
    readonly string _dir;
    readonly IReadOnlyList<string> _args;
    readonly Action<string> _log;
    readonly CancellationTokenSource _stop = new();
    Process? _child;
    int _pid;
    ulong _startTime;
    Task? _monitor;

    public EtcdSupervisor(string dir, IReadOnlyList<string> args, Action<string> log)
    {
        _dir = dir;
        _args = args;
        _log = log;
    }

    public string LogFile => Path.Combine(_dir, "etcd.log");
    string PidFile => Path.Combine(_dir, "etcd.pid");
    public int Pid => _pid;

    public void Start()
    {
        if (!File.Exists(Binary))
            throw new ClusterException($"{Binary} not found: install Debian's etcd-server (install.sh does)");
        Directory.CreateDirectory(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!TryAdopt()) Launch();
        _monitor = Task.Run(MonitorAsync);
    }

    /// <summary>The etcd a previous daemon left running, if it is ours and runs the flags we would use.</summary>
    bool TryAdopt()
    {
        if (ReadPidFile() is not var (pid, start)) return false;
        if (!ProcStat.IsSameProcess(pid, start)) return false;
        var cmdline = ReadCmdline(pid);
        if (cmdline.Count > 0 && cmdline.Skip(1).SequenceEqual(_args))
        {
            (_pid, _startTime) = (pid, start);
            _log($"etcd: adopted the running member (pid {pid})");
            return true;
        }
        if (cmdline.Contains(DataDirOf(_args)))
        {
            _log($"etcd: the running member (pid {pid}) has other flags; restarting it");
            Terminate(pid, start, null);
        }
        return false;
    }

    void Launch()
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // setsid: its own session, so a terminal's ^C or hang-up reaches the daemon, which stops etcd in order.
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec setsid \"$0\" \"$@\" </dev/null >>\"$GITOPS_ETCD_LOG\" 2>&1");
        psi.ArgumentList.Add(Binary);
        foreach (var a in _args) psi.ArgumentList.Add(a);
        psi.Environment["GITOPS_ETCD_LOG"] = LogFile;
        // etcd reads ETCD_* variables as flags: none of the daemon's may leak into its member.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("ETCD_", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(key);
        _child = Process.Start(psi) ?? throw new ClusterException("cannot start etcd");
        _pid = _child.Id;
        // The start time tells this process from a later one that reuses the pid.
        for (var i = 0; i < 50 && ProcStat.Read(_pid) is null; i++) Thread.Sleep(10);
        _startTime = ProcStat.Read(_pid)?.StartTime ?? 0;
        Runtime.State.AtomicFile.Write(PidFile, System.Text.Encoding.ASCII.GetBytes($"{_pid} {_startTime}\n"));
        _log($"etcd: started member (pid {_pid}), log {LogFile}");
    }

    async Task MonitorAsync()
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(500, _stop.Token); }
            catch (OperationCanceledException) { return; }
            if (IsRunning) { backoff = TimeSpan.FromSeconds(1); continue; }
            _child?.WaitForExit();
            var code = _child is { HasExited: true } c ? $"exit code {c.ExitCode}" : "gone";
            _log($"etcd: member (pid {_pid}) stopped ({code}); restarting in {backoff.TotalSeconds:0}s — see {LogFile}");
            _child?.Dispose();
            _child = null;
            try { await Task.Delay(backoff, _stop.Token); }
            catch (OperationCanceledException) { return; }
            backoff = TimeSpan.FromSeconds(Math.Min(30, backoff.TotalSeconds * 2));
            try { Launch(); }
            catch (Exception e) when (e is ClusterException or IOException or System.ComponentModel.Win32Exception) { _log($"etcd: cannot restart: {e.Message}"); }
        }
    }

    public bool IsRunning => _child is { } c ? !c.HasExited : ProcStat.IsSameProcess(_pid, _startTime);

    /// <summary>Stops supervising and stops the member: SIGTERM (etcd closes its files), SIGKILL after the grace period.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stop.CancelAsync();
        if (_monitor is not null) await _monitor;
        if (_pid > 0) await Task.Run(() => Terminate(_pid, _startTime, _child, grace));
        _child?.Dispose();
        _child = null;
        try { File.Delete(PidFile); } catch (IOException) { }
    }

    static void Terminate(int pid, ulong start, Process? child, TimeSpan? grace = null)
    {
        if (!ProcStat.IsSameProcess(pid, start) && child is null) return;
        Sys.Kill(pid, SIGTERM);
        var deadline = DateTime.UtcNow + (grace ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (child is not null ? child.WaitForExit(100) : !ProcStat.IsSameProcess(pid, start)) return;
            if (child is null) Thread.Sleep(100);
        }
        if (ProcStat.IsSameProcess(pid, start)) Sys.Kill(pid, SIGKILL);
        child?.WaitForExit();
    }

    /// <summary>Stops an etcd left by a previous daemon of this root without starting one (leave, demote).</summary>
    public static void StopOrphan(string dir)
    {
        var file = Path.Combine(dir, "etcd.pid");
        if (ReadPidFile(file) is var (pid, start) && ProcStat.IsSameProcess(pid, start)) Terminate(pid, start, null);
        try { File.Delete(file); } catch (IOException) { }
    }

    (int, ulong)? ReadPidFile() => ReadPidFile(PidFile);

    static (int, ulong)? ReadPidFile(string file)
    {
        try
        {
            var parts = File.ReadAllText(file).Split(' ', StringSplitOptions.TrimEntries);
            return parts.Length == 2 && int.TryParse(parts[0], out var pid) && ulong.TryParse(parts[1], out var st) ? (pid, st) : null;
        }
        catch (IOException) { return null; }
    }

    static List<string> ReadCmdline(int pid)
    {
        try { return [.. File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries)]; }
        catch (IOException) { return []; }
    }

    static string DataDirOf(IReadOnlyList<string> args)
    {
        var i = args.ToList().IndexOf("--data-dir");
        return i >= 0 && i + 1 < args.Count ? args[i + 1] : "";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
