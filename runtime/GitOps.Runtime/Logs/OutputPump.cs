using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Logs;

/// <summary>
/// One thread, one epoll: reads every container's output pipes and watches every pidfd. A
/// thread per container would cost a stack each (hundreds of containers); .NET's async file I/O on
/// pipes would block pool threads. Handlers run on this thread and must be quick: heavy work
/// (exit handling) is queued to the thread pool.
/// </summary>
public sealed class OutputPump : IDisposable
{
    readonly Epoll _epoll = new();
    readonly Lock _gate = new();
    readonly Dictionary<ulong, Registration> _registrations = [];
    readonly Thread _thread;
    ulong _nextToken = 1;
    volatile bool _stopping;

    sealed record Registration(ulong Token, SafeFd Fd, Action<Registration, uint> Handler, bool OwnsFd);

    public OutputPump()
    {
        _thread = new Thread(Loop) { Name = "output-pump", IsBackground = true };
        _thread.Start();
    }

    /// <summary>
    /// Pumps a stream until end-of-file: each chunk read goes to <paramref name="onData"/>, then
    /// <paramref name="onEof"/> runs once. The pump owns and closes <paramref name="fd"/>.
    /// </summary>
    public void AddStream(SafeFd fd, Action<ReadOnlySpan<byte>> onData, Action onEof)
    {
        Sys.SetNonBlocking(fd, true);
        var buffer = new byte[64 * 1024];
        Add(fd, Epoll.In | Epoll.RdHup, ownsFd: true, (reg, events) =>
        {
            while (true)
            {
                int n;
                try { n = Sys.Read(reg.Fd, buffer); }
                catch (ErrnoException e) when (e.Errno == Errno.EIO) { n = 0; } // pty master after the slave closed
                if (n > 0) { onData(buffer.AsSpan(0, n)); continue; }
                if (n < 0) return; // drained for now
                Remove(reg);
                onEof();
                return;
            }
        });
    }

    /// <summary>Calls <paramref name="onExit"/> (on the thread pool) once the process behind <paramref name="pidfd"/> has exited.</summary>
    public void AddPidfd(SafeFd pidfd, Action onExit)
    {
        Add(pidfd, Epoll.In, ownsFd: false, (reg, _) =>
        {
            Remove(reg);
            ThreadPool.QueueUserWorkItem(_ => onExit());
        });
    }

    void Add(SafeFd fd, uint events, bool ownsFd, Action<Registration, uint> handler)
    {
        Registration reg;
        lock (_gate)
        {
            reg = new Registration(_nextToken++, fd, handler, ownsFd);
            _registrations[reg.Token] = reg;
        }
        _epoll.Add(fd, events, reg.Token);
    }

    void Remove(Registration reg)
    {
        lock (_gate) _registrations.Remove(reg.Token);
        _epoll.Remove(reg.Fd.Fd);
        if (reg.OwnsFd) reg.Fd.Dispose();
    }

    void Loop()
    {
        Span<ulong> tokens = stackalloc ulong[64];
        Span<uint> events = stackalloc uint[64];
        while (!_stopping)
        {
            int n;
            try { n = _epoll.Wait(tokens, events, 500); }
            catch (ObjectDisposedException) { return; }
            for (var i = 0; i < n; i++)
            {
                Registration? reg;
                lock (_gate) _registrations.TryGetValue(tokens[i], out reg);
                if (reg is null) continue;
                try { reg.Handler(reg, events[i]); }
                catch (Exception e) { Console.Error.WriteLine($"output pump: {e.Message}"); }
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(2000);
        _epoll.Dispose();
    }
}
