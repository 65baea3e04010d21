using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Containers;

/// <summary>
/// A container's standard streams. Without a tty, stdout and stderr are pipes that the container
/// holds read-write (the pipe reopened through /proc/self/fd with O_RDWR): it then counts as a
/// reader itself, so when the daemon dies nothing gets SIGPIPE, output waits in the pipe buffer,
/// and the restarted daemon reopens the same pipe through /proc/PID/fd/1 and reads on with no line
/// lost. Inside, they show as pipe:[N], as in Docker, not as a host path. With a tty the daemon
/// holds the pty master.
/// </summary>
public sealed class Stdio : IDisposable
{
    // Daemon side
    public SafeFd? StdoutRead { get; private set; }
    public SafeFd? StderrRead { get; private set; }
    public SafeFd? PtyMaster { get; private set; }
    public SafeFd? StdinWrite { get; private set; }
    // Child side, closed by the daemon once the child has them
    public SafeFd ChildIn { get; private set; } = null!;
    public SafeFd ChildOut { get; private set; } = null!;
    public SafeFd ChildErr { get; private set; } = null!;

    const int PipeSize = 1 << 20;

    public static Stdio ForContainer(bool tty, bool openStdin)
    {
        var s = new Stdio();
        if (tty)
        {
            // The pty comes from the container's own devpts, made by container-init (see AttachConsole);
            // until then its stdio is /dev/null. stdin is the terminal too (docker run -t), typed into only with -i.
            s.NullStdio();
            return s;
        }
        (s.StdoutRead, s.ChildOut) = SurvivingPipe();
        (s.StderrRead, s.ChildErr) = SurvivingPipe();
        s.OpenStdin(openStdin);
        return s;
    }

    /// <summary>A pipe whose child end is read-write, so the pipe lives as long as the container.</summary>
    static (SafeFd DaemonRead, SafeFd ChildReadWrite) SurvivingPipe()
    {
        var (read, write) = Sys.Pipe();
        using (write)
        {
            Sys.SetPipeSize(read, PipeSize);
            var both = Sys.Open($"/proc/self/fd/{read.Fd}", Sys.O_RDWR);
            Sys.SetNonBlocking(read, true);
            return (read, both);
        }
    }

    /// <summary>An exec session: plain pipes (an exec does not outlive the daemon's connection to it).</summary>
    public static Stdio ForExec(bool tty, bool openStdin)
    {
        var s = new Stdio();
        if (tty)
        {
            s.NullStdio();
            return s;
        }
        (s.StdoutRead, s.ChildOut) = Sys.Pipe();
        (s.StderrRead, s.ChildErr) = Sys.Pipe();
        s.OpenStdin(openStdin);
        return s;
    }

    /// <summary>
    /// Reopens a running container's output pipes after a daemon restart, through its PID 1's
    /// descriptors 1 and 2. Null for a stream that is no longer a pipe (the process redirected it).
    /// </summary>
    public static (SafeFd? Stdout, SafeFd? Stderr) Reattach(int pid) => (ReopenPipe(pid, 1), ReopenPipe(pid, 2));

    static SafeFd? ReopenPipe(int pid, int fd)
    {
        try
        {
            if (!Sys.ReadLink($"/proc/{pid}/fd/{fd}").StartsWith("pipe:", StringComparison.Ordinal)) return null;
            return Sys.Open($"/proc/{pid}/fd/{fd}", Sys.O_RDONLY | Sys.O_NONBLOCK);
        }
        catch (ErrnoException) { return null; }
    }

    void NullStdio()
    {
        ChildIn = Sys.Open("/dev/null", Sys.O_RDONLY);
        ChildOut = Sys.Open("/dev/null", Sys.O_WRONLY);
        ChildErr = Sys.Open("/dev/null", Sys.O_WRONLY);
    }

    /// <summary>Takes the pty master that container-init sent back from inside the container.</summary>
    public void AttachConsole(SafeFd master)
    {
        PtyMaster = master;
        Sys.SetWindowSize(master.Fd, 24, 80);
    }

    void OpenStdin(bool open)
    {
        if (open)
        {
            var (read, write) = Sys.Pipe();
            ChildIn = read;
            StdinWrite = write;
        }
        else ChildIn = Sys.Open("/dev/null", Sys.O_RDONLY);
    }

    public void CloseChildEnds()
    {
        ChildIn.Dispose();
        ChildOut.Dispose();
        ChildErr.Dispose();
    }

    public void Dispose()
    {
        CloseChildEnds();
        StdoutRead?.Dispose();
        StderrRead?.Dispose();
        PtyMaster?.Dispose();
        StdinWrite?.Dispose();
    }

    /// <summary>Hands the daemon-side descriptors over to their new owners (the pump, the attach hub).</summary>
    public void ReleaseDaemonEnds()
    {
        StdoutRead = null;
        StderrRead = null;
        PtyMaster = null;
        StdinWrite = null;
    }
}
