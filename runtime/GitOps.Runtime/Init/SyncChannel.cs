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

    /// <summary>The container's spec, the one large message: 2 MiB of environment and arguments (execve's bound), in JSON.</summary>
    public const int MaxSpec = 8 << 20;

    public SafeFd Fd => fd;

    public void Send<T>(T message, JsonTypeInfo<T> type) => Sys.WriteAll(fd, JsonSerializer.SerializeToUtf8Bytes(message, type));

    public void SendWithFd<T>(T message, JsonTypeInfo<T> type, SafeFd attached) =>
        Sys.SendWithFd(fd, JsonSerializer.SerializeToUtf8Bytes(message, type), attached);

    /// <summary>Like <see cref="Receive{T}"/>, also returning a descriptor sent with the message.</summary>
    public (T? Message, SafeFd? Fd) ReceiveWithFd<T>(JsonTypeInfo<T> type, int timeoutMs) where T : class
    {
        if (timeoutMs >= 0 && !Sys.PollReadable(fd, timeoutMs)) throw new TimeoutException("container init did not answer");
        var buffer = new byte[MaxMessage];
        var n = Sys.ReceiveWithFd(fd, buffer, out var attached);
        if (n <= 0) { attached?.Dispose(); return (null, null); }
        return (JsonSerializer.Deserialize(buffer.AsSpan(0, n), type), attached);
    }

    /// <summary>Receives one message; null at end-of-file. Throws <see cref="TimeoutException"/> after <paramref name="timeoutMs"/>.</summary>
    public T? Receive<T>(JsonTypeInfo<T> type, int timeoutMs = -1, int maxBytes = MaxMessage) where T : class
    {
        if (timeoutMs >= 0 && !Sys.PollReadable(fd, timeoutMs)) throw new TimeoutException("container init did not answer");
        var buffer = new byte[maxBytes];
        var n = Sys.Read(fd, buffer);
        if (n <= 0) return null;
        return JsonSerializer.Deserialize(buffer.AsSpan(0, n), type);
    }

    public void Dispose() => fd.Dispose();
}
