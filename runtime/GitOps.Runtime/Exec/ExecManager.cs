using GitOps.Runtime.Containers;
using GitOps.Runtime.Events;
using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Logs;

namespace GitOps.Runtime.Exec;

public sealed record ExecConfig
{
    public required IReadOnlyList<string> Cmd { get; set; }
    public IReadOnlyList<string> Env { get; set; } = [];
    public string? User { get; set; }
    public string? WorkingDir { get; set; }
    public bool Tty { get; set; }
    public bool AttachStdin { get; set; }
}

/// <summary>One docker exec session.</summary>
public sealed class ExecInstance(string id, Container container, ExecConfig config)
{
    public string Id => id;
    public Container Container => container;
    public ExecConfig Config => config;
    public ContainerOutput Output { get; } = new(null);
    public int Pid { get; internal set; }
    public bool Running { get; internal set; }
    public int? ExitCode { get; internal set; }
    internal SafeFd? StdinWrite { get; set; }
    internal SafeFd? PtyWrite { get; set; }
    internal SafeFd? Pidfd { get; set; }
    public TaskCompletionSource<int> Exited { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void WriteStdin(ReadOnlySpan<byte> data)
    {
        var fd = PtyWrite ?? StdinWrite;
        if (fd is null) return;
        try { Sys.WriteAll(fd, data); }
        catch (ErrnoException e) when (e.Errno is Errno.EPIPE or Errno.EIO or Errno.EBADF) { }
        catch (ObjectDisposedException) { }
    }

    public void CloseStdin()
    {
        StdinWrite?.Dispose();
        StdinWrite = null;
    }

    public void Resize(ushort rows, ushort cols)
    {
        if (PtyWrite is { } pty) Sys.SetWindowSize(pty.Fd, rows, cols);
    }

    /// <summary>SIGKILL to the session's process (a health probe past its timeout); a no-op once it has exited.</summary>
    internal void Kill()
    {
        try { if (Pidfd is { IsClosed: false } fd) Sys.PidfdSendSignal(fd, 9); }
        catch (ObjectDisposedException) { }
    }
}

/// <summary>docker exec: extra processes in a running container's namespaces and cgroup.</summary>
public sealed class ExecManager(ContainerManager containers, OutputPump pump)
{
    readonly Lock _gate = new();
    readonly Dictionary<string, ExecInstance> _execs = new(StringComparer.Ordinal);

    public ExecInstance Create(string containerIdOrName, ExecConfig config)
    {
        Containers.CreateRequestLimits.CheckExec(config);
        return Create(containers.Get(containerIdOrName), config, register: true);
    }

    /// <summary>
    /// A health probe's session: the same path and the same events as docker exec, but not listed for
    /// exec inspect, so probes every second do not pile up records for five minutes each.
    /// </summary>
    internal ExecInstance CreateProbe(Container c, ExecConfig config) => Create(c, config, register: false);

    ExecInstance Create(Container c, ExecConfig config, bool register)
    {
        if (c.Process is null) throw new ConflictException($"Container {c.Id} is not running");
        if (config.Cmd.Count == 0) throw new InvalidArgumentException("No exec command specified");
        var exec = new ExecInstance(Ids.New(), c, config);
        if (register) lock (_gate) _execs[exec.Id] = exec;
        Publish(exec, "exec_create: " + string.Join(' ', config.Cmd));
        return exec;
    }

    public ExecInstance Get(string id)
    {
        lock (_gate)
            return _execs.TryGetValue(id, out var e) ? e : throw new NotFoundException($"No such exec instance: {id}");
    }

    /// <summary>Starts the session; subscribe to <see cref="ExecInstance.Output"/> first so nothing is missed.</summary>
    public void Start(ExecInstance exec)
    {
        var c = exec.Container;
        var proc = c.Process ?? throw new ConflictException($"Container {c.Id} is not running");
        if (exec.Running || exec.ExitCode is not null) throw new ConflictException($"exec {exec.Id} has already run");
        var cfg = exec.Config;
        var env = new List<string>();
        if (!c.Config.Env.Concat(cfg.Env).Any(e => e.StartsWith("PATH=", StringComparison.Ordinal))) env.Add("PATH=" + Defaults.Path);
        env.Add("HOSTNAME=" + c.Config.Hostname);
        if (cfg.Tty) env.Add("TERM=xterm");
        // Variables from secrets are resolved again, as for the main process: exec sees what it sees.
        env.AddRange(Images.ConfigChanges.MergeEnv(containers.Storage.Environment(c.Config), cfg.Env.Select(e =>
        {
            var i = e.IndexOf('=');
            return i < 0 ? new KeyValuePair<string, string>(e, "") : new(e[..i], e[(i + 1)..]);
        })));
        var spec = new InitSpec
        {
            Mode = InitMode.Exec,
            JoinMountNamespace = true,
            Process = new ProcessSpec
            {
                Args = cfg.Cmd,
                Env = env,
                Cwd = cfg.WorkingDir is { Length: > 0 } w ? w : c.Config.WorkingDir.Length > 0 ? c.Config.WorkingDir : "/",
                User = cfg.User ?? c.Config.User,
                Tty = cfg.Tty,
            },
        };
        var stdio = Stdio.ForExec(cfg.Tty, cfg.AttachStdin);
        int pid;
        SafeFd pidfd;
        try
        {
            (pid, pidfd) = containers.Launcher.LaunchExec(proc.Pid, proc.Pidfd, proc.Cgroup, spec, stdio, c.Config);
        }
        catch (StartFailedException e)
        {
            stdio.Dispose();
            exec.ExitCode = e.ExitCode;
            exec.Exited.TrySetResult(e.ExitCode);
            throw;
        }
        catch
        {
            stdio.Dispose();
            throw;
        }
        exec.Pid = pid;
        exec.Pidfd = pidfd;
        exec.Running = true;
        exec.StdinWrite = stdio.StdinWrite;
        exec.PtyWrite = stdio.PtyMaster is null ? null : Sys.Dup(stdio.PtyMaster);
        if (stdio.PtyMaster is { } master)
        {
            exec.Output.Open(StdStream.Stdout);
            pump.AddStream(master, d => exec.Output.OnData(StdStream.Stdout, d), () => exec.Output.OnEof(StdStream.Stdout));
        }
        else
        {
            exec.Output.Open(StdStream.Stdout, StdStream.Stderr);
            pump.AddStream(stdio.StdoutRead!, d => exec.Output.OnData(StdStream.Stdout, d), () => exec.Output.OnEof(StdStream.Stdout));
            pump.AddStream(stdio.StderrRead!, d => exec.Output.OnData(StdStream.Stderr, d), () => exec.Output.OnEof(StdStream.Stderr));
        }
        stdio.ReleaseDaemonEnds();
        pump.AddPidfd(pidfd, () => OnExit(exec));
        Publish(exec, "exec_start: " + string.Join(' ', cfg.Cmd));
    }

    void OnExit(ExecInstance exec)
    {
        int code;
        try { code = Sys.WaitPidfd(exec.Pidfd!, block: true)?.ShellCode ?? 255; }
        catch (ErrnoException) { code = 255; }
        exec.Output.Drained.Wait(TimeSpan.FromSeconds(2));
        exec.Running = false;
        exec.ExitCode = code;
        exec.Pidfd?.Dispose();
        exec.StdinWrite?.Dispose();
        exec.PtyWrite?.Dispose();
        exec.Output.CompleteSubscribers();
        Publish(exec, "exec_die", ("exitCode", code.ToString()), ("execID", exec.Id));
        exec.Exited.TrySetResult(code);
        // Keep the record a while for inspect, then forget it.
        _ = Task.Delay(TimeSpan.FromMinutes(5)).ContinueWith(_ => { lock (_gate) _execs.Remove(exec.Id); }, TaskScheduler.Default);
    }

    void Publish(ExecInstance exec, string action, params (string, string)[] extra) =>
        containers.Publish(exec.Container, action, extra);
}
