using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Containers;

/// <summary>
/// A container's standard streams. Without a tty, stdout and stderr are FIFOs on disk that the
/// container opens read-write: it then counts as a reader itself, so when the daemon dies nothing
/// gets SIGPIPE, output waits in the pipe buffer, and the restarted daemon reopens the FIFO and
/// reads on with no line lost. With a tty the daemon holds the pty master.
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
    public string? PtySlavePath { get; private set; }

    const int PipeSize = 1 << 20;

    public static Stdio ForContainer(ContainerFiles files, bool tty, bool openStdin)
    {
        var s = new Stdio();
        if (tty)
        {
            s.OpenPty();
            if (!openStdin) { s.ChildIn.Dispose(); s.ChildIn = Sys.Open("/dev/null", Sys.O_RDONLY); }
            return s;
        }
        s.StdoutRead = OpenFifoReader(files.StdoutFifo);
        s.StderrRead = OpenFifoReader(files.StderrFifo);
        s.ChildOut = Sys.Open(files.StdoutFifo, Sys.O_RDWR);
        s.ChildErr = Sys.Open(files.StderrFifo, Sys.O_RDWR);
        s.OpenStdin(openStdin);
        return s;
    }

    /// <summary>An exec session: plain pipes (an exec does not outlive the daemon's connection to it).</summary>
    public static Stdio ForExec(bool tty, bool openStdin)
    {
        var s = new Stdio();
        if (tty)
        {
            s.OpenPty();
            if (!openStdin) { s.ChildIn.Dispose(); s.ChildIn = Sys.Open("/dev/null", Sys.O_RDONLY); }
            return s;
        }
        (s.StdoutRead, s.ChildOut) = Sys.Pipe();
        (s.StderrRead, s.ChildErr) = Sys.Pipe();
        s.OpenStdin(openStdin);
        return s;
    }

    /// <summary>Reopens the read ends of a running container's FIFOs after a daemon restart.</summary>
    public static Stdio Reattach(ContainerFiles files) =>
        new() { StdoutRead = OpenFifoReader(files.StdoutFifo), StderrRead = OpenFifoReader(files.StderrFifo) };

    static SafeFd OpenFifoReader(string path)
    {
        var fd = Sys.Open(path, Sys.O_RDONLY | Sys.O_NONBLOCK);
        Sys.SetPipeSize(fd, PipeSize);
        return fd;
    }

    void OpenPty()
    {
        var (master, slavePath) = Sys.OpenPty();
        PtyMaster = master;
        PtySlavePath = slavePath;
        // Three descriptors on the slave, so each can be closed on its own.
        ChildIn = Sys.Open(slavePath, Sys.O_RDWR | Sys.O_NOCTTY);
        ChildOut = Sys.Open(slavePath, Sys.O_RDWR | Sys.O_NOCTTY);
        ChildErr = Sys.Open(slavePath, Sys.O_RDWR | Sys.O_NOCTTY);
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
