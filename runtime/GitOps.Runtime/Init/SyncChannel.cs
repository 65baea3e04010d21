using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Init;

/// <summary>
/// One end of the SOCK_SEQPACKET pair between the daemon and a container-init helper. Each message
/// is one JSON document. The helper's end is close-on-exec, so a successful exec shows up on the
/// daemon's end as end-of-file: no message is needed to say "started".
/// </summary>
public sealed class SyncChannel(SafeFd fd) : IDisposable
{
    const int MaxMessage = 1 << 20;

    public SafeFd Fd => fd;

    public void Send<T>(T message, JsonTypeInfo<T> type) => Sys.WriteAll(fd, JsonSerializer.SerializeToUtf8Bytes(message, type));

    /// <summary>Receives one message; null at end-of-file. Throws <see cref="TimeoutException"/> after <paramref name="timeoutMs"/>.</summary>
    public T? Receive<T>(JsonTypeInfo<T> type, int timeoutMs = -1) where T : class
    {
        if (timeoutMs >= 0 && !Sys.PollReadable(fd, timeoutMs)) throw new TimeoutException("container init did not answer");
        var buffer = new byte[MaxMessage];
        var n = Sys.Read(fd, buffer);
        if (n <= 0) return null;
        return JsonSerializer.Deserialize(buffer.AsSpan(0, n), type);
    }

    public void Dispose() => fd.Dispose();
}
