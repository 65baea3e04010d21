using System.IO.Compression;
using System.Text.Json;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images;

/// <summary>The store's content: blobs by digest and layers unpacked once under their diff ID.</summary>
public sealed partial class ImageStore
{
    // ---- blobs -------------------------------------------------------------------------------

    public string BlobPath(Digest digest) => Path.Combine(_paths.Blobs, digest.Hex);

    public bool HasBlob(Digest digest) => File.Exists(BlobPath(digest));

    public byte[] ReadBlob(Digest digest)
    {
        var path = BlobPath(digest);
        if (!File.Exists(path)) throw new NotFoundException($"blob {digest} not found");
        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// Copies <paramref name="content"/> into the store. With <paramref name="expected"/> the content
    /// must hash to it, or nothing is stored; without, the computed digest is returned.
    /// </summary>
    public async Task<(Digest Digest, long Size)> WriteBlobAsync(Stream content, Digest? expected = null, CancellationToken ct = default)
    {
        var tmp = TempPath("blob");
        try
        {
            Digest digest;
            long size;
            await using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: false))
            await using (var hashing = new HashingWriteStream(file))
            {
                await content.CopyToAsync(hashing, 1 << 16, ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
                digest = hashing.Digest;
                size = hashing.BytesWritten;
            }
            if (expected is { } want && want != digest)
                throw new InvalidDataException($"digest mismatch: expected {want}, content hashes to {digest}");
            File.Move(tmp, BlobPath(digest), overwrite: true);
            return (digest, size);
        }
        finally { if (File.Exists(tmp)) File.Delete(tmp); }
    }

    /// <summary>Moves a verified file (written beside the store by a pull) in as the blob <paramref name="digest"/>.</summary>
    public void CommitBlobFile(string file, Digest digest)
    {
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(file, BlobPath(digest), overwrite: true);
    }

    public Digest WriteBlob(ReadOnlySpan<byte> content)
    {
        var digest = Digest.Sha256(content);
        var path = BlobPath(digest);
        if (!File.Exists(path)) AtomicFile.Write(path, content, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return digest;
    }

    // ---- layers ------------------------------------------------------------------------------

    public string LayerDir(string diffId) => Path.Combine(_paths.Layers, Digest.Parse(diffId).Hex, "diff");

    public bool HasLayer(string diffId) => File.Exists(Path.Combine(_paths.Layers, Digest.Parse(diffId).Hex, "layer.json"));

    public LayerRecord? GetLayer(string diffId) =>
        AtomicFile.ReadJson(Path.Combine(_paths.Layers, Digest.Parse(diffId).Hex, "layer.json"), RuntimeJson.Default.LayerRecord);

    /// <summary>
    /// Unpacks an uncompressed layer tar into the store unless a layer with that diff ID is there already.
    /// The tar is unpacked beside the store and renamed in only when complete and verified.
    /// </summary>
    public async Task<LayerRecord> AddLayerAsync(Func<Stream> openUncompressed, Digest? expectedDiffId, CancellationToken ct = default)
    {
        if (expectedDiffId is { } known && GetLayer(known.ToString()) is { } existing) return existing;
        var work = TempPath("layer");
        Directory.CreateDirectory(work);
        try
        {
            var diffDir = Path.Combine(work, "diff");
            Digest diffId;
            long size;
            await using (var raw = openUncompressed())
            await using (var hashing = new HashingStream(raw))
            {
                size = await Task.Run(() => TarUnpacker.Unpack(hashing, diffDir), ct).ConfigureAwait(false);
                // Drain what the tar reader left (end-of-archive padding) so the digest covers the whole stream.
                await hashing.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
                diffId = hashing.Digest;
            }
            if (expectedDiffId is { } want && want != diffId)
                throw new InvalidDataException($"layer diff ID mismatch: expected {want}, content hashes to {diffId}");

            var gate = LayerLock(diffId.ToString());
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (GetLayer(diffId.ToString()) is { } raced) return raced;
                var record = new LayerRecord(diffId.ToString(), size, DateTimeOffset.UtcNow);
                AtomicFile.WriteJson(Path.Combine(work, "layer.json"), record, RuntimeJson.Default.LayerRecord);
                var final = Path.Combine(_paths.Layers, diffId.Hex);
                if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // a half-written leftover
                Directory.Move(work, final);
                AtomicFile.SyncDirectory(_paths.Layers);
                return record;
            }
            finally { gate.Release(); }
        }
        finally { if (Directory.Exists(work)) DeleteTree(work); }
    }

    /// <summary>
    /// A directory tree as a new layer: packed as an uncompressed OCI diff (overlay whiteouts
    /// translated when <paramref name="overlayUpper"/>), stored as a blob whose digest is the diff ID,
    /// and unpacked into the store like any other layer.
    /// </summary>
    public async Task<(Descriptor Layer, string DiffId)> AddLayerFromDirectoryAsync(string dir, bool overlayUpper, CancellationToken ct = default)
    {
        var tmp = TempPath("pack");
        try
        {
            await using (var file = File.Create(tmp))
                new TarPacker { TranslateOverlay = overlayUpper }.Pack(dir, file);
            Digest diffId;
            long size;
            await using (var file = File.OpenRead(tmp))
                (diffId, size) = await WriteBlobAsync(file, null, ct).ConfigureAwait(false);
            var blob = BlobPath(diffId);
            await AddLayerAsync(() => File.OpenRead(blob), diffId, ct).ConfigureAwait(false);
            return (new Descriptor(MediaTypes.OciLayer, diffId.ToString(), size), diffId.ToString());
        }
        finally { File.Delete(tmp); }
    }

    SemaphoreSlim LayerLock(string diffId)
    {
        lock (_gate)
        {
            if (!_layerLocks.TryGetValue(diffId, out var s)) _layerLocks[diffId] = s = new SemaphoreSlim(1, 1);
            return s;
        }
    }

    /// <summary>Opens a layer blob for reading, decompressing gzip transparently.</summary>
    public static Stream OpenDecompressed(Stream compressedOrNot)
    {
        var magic = new byte[4];
        var n = 0;
        while (n < magic.Length)
        {
            var r = compressedOrNot.Read(magic, n, magic.Length - n);
            if (r == 0) break;
            n += r;
        }
        // Put the peeked bytes back in front of the rest of the stream.
        var whole = new PrefixedStream(magic.AsMemory(0, n), compressedOrNot);
        if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return new GZipStream(whole, CompressionMode.Decompress);
        if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
            throw new InvalidDataException("zstd-compressed layers are not supported");
        return whole;
    }

}
