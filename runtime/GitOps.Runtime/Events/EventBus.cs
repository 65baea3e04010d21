using System.Threading.Channels;

namespace GitOps.Runtime.Events;

/// <summary>
/// Fan-out of engine events to subscribers (the events API, the reconciler), with a bounded history
/// so that a subscriber can ask for what happened since a point in time. A subscriber that stops
/// reading loses events rather than stalling the engine.
/// </summary>
public sealed class EventBus
{
    const int HistorySize = 1024;
    readonly Lock _gate = new();
    readonly LinkedList<EngineEvent> _history = new();
    readonly List<Channel<EngineEvent>> _subscribers = [];

    public void Publish(EngineEvent e)
    {
        lock (_gate)
        {
            _history.AddLast(e);
            if (_history.Count > HistorySize) _history.RemoveFirst();
            foreach (var s in _subscribers) s.Writer.TryWrite(e);
        }
    }

    /// <summary>Subscribes; events after <paramref name="sinceNanos"/> from history come first.</summary>
    public Subscription Subscribe(long? sinceNanos = null)
    {
        var channel = Channel.CreateBounded<EngineEvent>(new BoundedChannelOptions(4096)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
        });
        lock (_gate)
        {
            if (sinceNanos is { } since)
                foreach (var e in _history.Where(e => e.TimeNano > since)) channel.Writer.TryWrite(e);
            _subscribers.Add(channel);
        }
        return new Subscription(this, channel);
    }

    public IReadOnlyList<EngineEvent> History(long sinceNanos, long untilNanos)
    {
        lock (_gate) return _history.Where(e => e.TimeNano > sinceNanos && e.TimeNano <= untilNanos).ToList();
    }

    void Unsubscribe(Channel<EngineEvent> channel)
    {
        lock (_gate) _subscribers.Remove(channel);
        channel.Writer.TryComplete();
    }

    public sealed class Subscription(EventBus bus, Channel<EngineEvent> channel) : IDisposable
    {
        public ChannelReader<EngineEvent> Reader => channel.Reader;
        public void Dispose() => bus.Unsubscribe(channel);
    }
}
