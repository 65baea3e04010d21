using System.Threading.Channels;

namespace GitOps.Runtime.Logs;

/// <summary>
/// Where a container's stdout and stderr go once read: raw chunks to attached clients (so prompts
/// without a newline show at once), and whole lines with a timestamp to the json-file log and to
/// `logs -f` followers. Lines longer than 16 KiB are cut, as Docker's json-file driver does.
/// </summary>
public sealed class ContainerOutput : IDisposable
{
    const int MaxLine = 16 * 1024;
    readonly JsonFileLog? _log;
    readonly Lock _gate = new();
    readonly List<Channel<LogEntry>> _followers = [];
    readonly List<Channel<(StdStream Stream, byte[] Data)>> _attached = [];
    readonly MemoryStream[] _partial = [new(), new(), new()];
    readonly bool[] _open = [false, false, false];
    TaskCompletionSource _drained = NewDrained();

    /// <summary>With no log (exec sessions) output only goes to attached clients.</summary>
    public ContainerOutput(JsonFileLog? log) => _log = log;

    public string? LogPath => _log?.Path;

    static TaskCompletionSource NewDrained() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when every stream opened with <see cref="Open"/> has reached end-of-file.</summary>
    public Task Drained
    {
        get { lock (_gate) return _drained.Task; }
    }

    public void Open(params StdStream[] streams)
    {
        lock (_gate)
        {
            if (_drained.Task.IsCompleted) _drained = NewDrained();
            foreach (var s in streams) _open[(int)s] = true;
        }
    }

    public void OnData(StdStream stream, ReadOnlySpan<byte> data)
    {
        var now = DateTimeOffset.UtcNow;
        lock (_gate)
        {
            if (_attached.Count > 0)
            {
                var copy = data.ToArray();
                foreach (var a in _attached) a.Writer.TryWrite((stream, copy));
            }
            var partial = _partial[(int)stream];
            while (data.Length > 0)
            {
                var nl = data.IndexOf((byte)'\n');
                var take = nl < 0 ? data.Length : nl + 1;
                var room = MaxLine - (int)partial.Length;
                if (take > room)
                {
                    // A line longer than 16 KiB is logged in pieces, as Docker's json-file driver does.
                    partial.Write(data[..room]);
                    Flush(stream, now);
                    data = data[room..];
                    continue;
                }
                partial.Write(data[..take]);
                data = data[take..];
                if (nl >= 0) Flush(stream, now);
            }
        }
    }

    void Flush(StdStream stream, DateTimeOffset now)
    {
        var partial = _partial[(int)stream];
        if (partial.Length == 0) return;
        var entry = new LogEntry(stream, now, partial.ToArray());
        partial.SetLength(0);
        _log?.Write(entry);
        foreach (var f in _followers) f.Writer.TryWrite(entry);
    }

    public void OnEof(StdStream stream)
    {
        lock (_gate)
        {
            Flush(stream, DateTimeOffset.UtcNow);
            _open[(int)stream] = false;
            if (!_open[1] && !_open[2]) _drained.TrySetResult();
        }
    }

    /// <summary>Live raw output, for attach. Dispose the subscription to stop.</summary>
    public Subscription<(StdStream Stream, byte[] Data)> Attach()
    {
        var ch = Channel.CreateBounded<(StdStream, byte[])>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate) _attached.Add(ch);
        return new Subscription<(StdStream, byte[])>(ch, () => { lock (_gate) _attached.Remove(ch); ch.Writer.TryComplete(); });
    }

    /// <summary>
    /// Everything logged so far followed by new entries as they come: the file length is taken and
    /// the follower registered under the writer's lock, so no line is lost or shown twice.
    /// </summary>
    public (IEnumerable<LogEntry> History, Subscription<LogEntry> Live) Follow()
    {
        var ch = Channel.CreateBounded<LogEntry>(new BoundedChannelOptions(8192) { FullMode = BoundedChannelFullMode.DropOldest });
        long length = 0;
        lock (_gate)
        {
            if (_log is not null)
                lock (_log.Gate) length = File.Exists(_log.Path) ? new FileInfo(_log.Path).Length : 0;
            _followers.Add(ch);
        }
        var sub = new Subscription<LogEntry>(ch, () => { lock (_gate) _followers.Remove(ch); ch.Writer.TryComplete(); });
        return (_log is null ? [] : JsonFileLog.Read(_log.Path, length), sub);
    }

    /// <summary>Ends live subscriptions (the container stopped); readers see the channel complete.</summary>
    public void CompleteSubscribers()
    {
        lock (_gate)
        {
            foreach (var f in _followers) f.Writer.TryComplete();
            foreach (var a in _attached) a.Writer.TryComplete();
            _followers.Clear();
            _attached.Clear();
        }
    }

    public void Dispose()
    {
        CompleteSubscribers();
        _log?.Dispose();
    }
}

public sealed class Subscription<T>(Channel<T> channel, Action onDispose) : IDisposable
{
    int _disposed;
    public ChannelReader<T> Reader => channel.Reader;
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) onDispose();
    }
}
