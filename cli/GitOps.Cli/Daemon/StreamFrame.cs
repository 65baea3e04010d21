using System.Buffers.Binary;

namespace GitOps.Cli.Daemon;

/// <summary>
/// Docker's multiplexed stream framing (stdcopy): an 8-byte header [stream, 0, 0, 0, size(4, big
/// endian)] before each payload, so stdout and stderr can share one HTTP response.
/// </summary>
public static class StreamFrame
{
    public const int HeaderSize = 8;

    public static async Task WriteAsync(Stream output, byte stream, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var header = new byte[HeaderSize];
        header[0] = stream;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)payload.Length);
        await output.WriteAsync(header, ct).ConfigureAwait(false);
        await output.WriteAsync(payload, ct).ConfigureAwait(false);
    }

    /// <summary>Reads one frame; null at end of stream.</summary>
    public static async Task<(byte Stream, byte[] Payload)?> ReadAsync(Stream input, CancellationToken ct)
    {
        var header = new byte[HeaderSize];
        if (!await ReadExactlyOrEofAsync(input, header, ct).ConfigureAwait(false)) return null;
        var size = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        var payload = new byte[size];
        if (!await ReadExactlyOrEofAsync(input, payload, ct).ConfigureAwait(false)) return null;
        return (header[0], payload);
    }

    static async Task<bool> ReadExactlyOrEofAsync(Stream s, byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await s.ReadAsync(buffer.AsMemory(read), ct).ConfigureAwait(false);
            if (n == 0) return read == 0 && buffer.Length > 0 ? false : read == buffer.Length;
            read += n;
        }
        return true;
    }
}
