using System.Security.Cryptography;

namespace GitOps.Runtime.Images.Registry;

/// <summary>
/// Reads a blob as it arrives: hashes it, copies it to a file beside the store (the blob itself is
/// kept for push and save), reports progress, and at end-of-stream checks size and digest. A
/// mismatch throws from the read that hit the end, so whatever consumes the stream (the layer
/// unpacker) fails before it commits anything.
/// </summary>
internal sealed class VerifyingStream(Stream inner, Digest expected, long expectedSize, Stream? copy, Action<long>? progress) : ReadOnlyStream
{
    readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    long _read;
    bool _verified;
    long _lastReport;

    public long BytesRead => _read;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    // A read of zero bytes into an empty buffer says nothing about the end (tar readers ask for
    // empty reads); only an empty result for a non-empty buffer is end-of-stream.
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        var n = inner.Read(buffer);
        Consume(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (buffer.IsEmpty) return 0;
        var n = await inner.ReadAsync(buffer, ct).ConfigureAwait(false);
        Consume(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    void Consume(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            Verify();
            return;
        }
        _read += data.Length;
        if (expectedSize >= 0 && _read > expectedSize)
            throw new DigestMismatchException($"blob {expected} is larger than the {expectedSize} bytes its descriptor says");
        _hash.AppendData(data);
        copy?.Write(data);
        if (progress is not null && (_read - _lastReport >= 1 << 19))
        {
            _lastReport = _read;
            progress(_read);
        }
    }

    void Verify()
    {
        if (_verified) return;
        var got = Digest.FromHash(_hash);
        if (expectedSize >= 0 && _read != expectedSize)
            throw new DigestMismatchException($"blob {expected}: got {_read} bytes, its descriptor says {expectedSize}");
        if (got != expected)
            throw new DigestMismatchException($"blob verification failed for digest {expected}: content hashes to {got}");
        _verified = true;
        progress?.Invoke(_read);
    }

    /// <summary>Reads what is left (a decompressor may stop before the compressed stream ends), verifying at the end.</summary>
    public void DrainToEnd()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer) > 0) { }
    }

    public bool Verified => _verified;
    public override long Position => _read;

    // Readers stacked on top (gzip, the unpacker) dispose what they read from; the blob's end must
    // still be readable after them, so only the owner ends this stream, with Release.
    protected override void Dispose(bool disposing) { }

    public void Release()
    {
        inner.Dispose();
        _hash.Dispose();
    }
}

/// <summary>
/// The decompressed view of a verifying stream: when the decompressor reports its end, the rest of
/// the compressed stream is read and verified before that end is passed on.
/// </summary>
internal sealed class VerifiedEndStream(Stream decompressed, VerifyingStream source) : ReadOnlyStream
{
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = decompressed.Read(buffer);
        if (n == 0 && buffer.Length > 0) source.DrainToEnd();
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var n = await decompressed.ReadAsync(buffer, ct).ConfigureAwait(false);
        if (n == 0 && buffer.Length > 0) source.DrainToEnd();
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) decompressed.Dispose();
        base.Dispose(disposing);
    }
}
