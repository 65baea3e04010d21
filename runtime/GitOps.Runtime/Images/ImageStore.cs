using System.IO.Compression;
using System.Text.Json;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images;

/// <summary>
/// The local image store: blobs by digest (configs, manifests, layer archives), each layer unpacked
/// once under its diff ID and shared by every image that has it, image records by ID and a
/// reference table (repository:tag → image ID). Pull, build, import and commit all add to it through
/// <see cref="AddLayer"/>, <see cref="WriteBlob"/> and <see cref="AddImage"/>.
/// </summary>
public sealed class ImageStore
{
    readonly EnginePaths _paths;
    readonly Lock _gate = new();
    readonly Dictionary<string, ImageRecord> _images = new(StringComparer.Ordinal);
    Dictionary<string, string> _references = new(StringComparer.Ordinal);
    readonly Dictionary<string, SemaphoreSlim> _layerLocks = new(StringComparer.Ordinal);

    public ImageStore(EnginePaths paths)
    {
        _paths = paths;
        Directory.CreateDirectory(MetaDir);
        Load();
    }

    string MetaDir => Path.Combine(_paths.Images, "meta");
    string ReferencesFile => Path.Combine(_paths.Images, "repositories.json");

    void Load()
    {
        foreach (var file in Directory.EnumerateFiles(MetaDir, "*.json"))
        {
            var record = AtomicFile.ReadJson(file, RuntimeJson.Default.ImageRecord);
            if (record is not null) _images[record.Id] = record;
        }
        _references = AtomicFile.ReadJson(ReferencesFile, RuntimeJson.Default.DictionaryStringString) ?? new(StringComparer.Ordinal);
        // A reference to an image whose record is missing (crash between writes) is dropped, not followed.
        foreach (var (reference, id) in _references.ToList())
            if (!_images.ContainsKey(id)) _references.Remove(reference);
    }

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

    // ---- images ------------------------------------------------------------------------------

    /// <summary>Records an image whose config and layers are already in the store, and tags it.</summary>
    public ImageRecord AddImage(ImageConfigFile config, IReadOnlyList<Descriptor> layerDescriptors, IEnumerable<ImageReference> tags, string? repoDigest = null)
    {
        foreach (var diffId in config.RootFs.DiffIds)
            if (!HasLayer(diffId)) throw new InvalidOperationException($"layer {diffId} is not in the store");
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, RuntimeJson.Default.ImageConfigFile);
        var configDigest = WriteBlob(configBytes);
        var manifest = new ImageManifest(2, MediaTypes.OciManifest,
            new Descriptor(MediaTypes.OciConfig, configDigest.ToString(), configBytes.Length), layerDescriptors);
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, RuntimeJson.Default.ImageManifest);
        var manifestDigest = WriteBlob(manifestBytes);
        return Register(configDigest, manifestDigest, config, tags, repoDigest);
    }

    /// <summary>Records an image from a manifest already stored (a pull keeps the registry's manifest bytes).</summary>
    public ImageRecord Register(Digest configDigest, Digest manifestDigest, ImageConfigFile config, IEnumerable<ImageReference> tags, string? repoDigest = null)
    {
        var size = config.RootFs.DiffIds.Sum(d => GetLayer(d)?.Size ?? 0);
        lock (_gate)
        {
            var id = configDigest.ToString();
            var record = _images.TryGetValue(id, out var existing)
                ? existing with { ManifestDigest = manifestDigest.ToString() }
                : new ImageRecord { Id = id, ManifestDigest = manifestDigest.ToString(), Created = config.Created ?? DateTimeOffset.UtcNow, Size = size };
            if (repoDigest is not null && !record.RepoDigests.Contains(repoDigest))
                record = record with { RepoDigests = [.. record.RepoDigests, repoDigest] };
            AtomicFile.WriteJson(Path.Combine(MetaDir, configDigest.Hex + ".json"), record, RuntimeJson.Default.ImageRecord);
            _images[id] = record;
            foreach (var tag in tags) _references[tag.ToString()] = id;
            SaveReferences();
            return record;
        }
    }

    void SaveReferences() => AtomicFile.WriteJson(ReferencesFile, _references, RuntimeJson.Default.DictionaryStringString);

    public ImageConfigFile? TryGetConfig(string imageId)
    {
        try { return GetConfig(imageId); }
        catch (Exception e) when (e is NotFoundException or JsonException or InvalidDataException) { return null; }
    }

    public ImageManifest GetManifest(ImageRecord image) =>
        JsonSerializer.Deserialize(ReadBlob(Digest.Parse(image.ManifestDigest)), RuntimeJson.Default.ImageManifest)
        ?? throw new InvalidDataException($"manifest {image.ManifestDigest} is empty");

    /// <summary>The image a build step made before, found by the step's cache key.</summary>
    public ImageRecord? FindByBuildKey(string key)
    {
        lock (_gate) return _images.Values.FirstOrDefault(i => i.BuildKey == key);
    }

    /// <summary>Images built on top of <paramref name="imageId"/> (Docker's parent/child relation of builds).</summary>
    public IReadOnlyList<ImageRecord> ChildrenOf(string imageId)
    {
        lock (_gate) return _images.Values.Where(i => i.Parent == imageId).ToList();
    }

    /// <summary>
    /// Records a build's intermediate or final image: <paramref name="parent"/> and <paramref name="buildKey"/>
    /// make it a cache entry that the next build with the same inputs reuses.
    /// </summary>
    public ImageRecord SetBuildOrigin(ImageRecord record, string? parent, string buildKey)
    {
        lock (_gate)
        {
            var updated = _images.TryGetValue(record.Id, out var current) ? current : record;
            if (updated.BuildKey == buildKey && updated.Parent == parent) return updated;
            updated = updated with { Parent = parent ?? updated.Parent, BuildKey = buildKey };
            AtomicFile.WriteJson(Path.Combine(MetaDir, Digest.Parse(updated.Id).Hex + ".json"), updated, RuntimeJson.Default.ImageRecord);
            _images[updated.Id] = updated;
            return updated;
        }
    }

    public ImageConfigFile GetConfig(string imageId) =>
        JsonSerializer.Deserialize(ReadBlob(Digest.Parse(imageId)), RuntimeJson.Default.ImageConfigFile)
        ?? throw new InvalidDataException($"image config {imageId} is empty");

    public IReadOnlyList<string> TagsOf(string imageId)
    {
        lock (_gate) return _references.Where(r => r.Value == imageId).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<ImageRecord> List()
    {
        lock (_gate) return _images.Values.OrderByDescending(i => i.Created).ToList();
    }

    /// <summary>Finds an image by reference (bb, bb:1, docker.io/library/bb:latest, name@digest) or by ID or unique ID prefix.</summary>
    public ImageRecord? Find(string nameOrId)
    {
        lock (_gate)
        {
            var idLike = nameOrId.StartsWith("sha256:", StringComparison.Ordinal) ? nameOrId[7..] : nameOrId;
            if (ImageReference.TryParse(nameOrId, out var reference, out _) && reference is not null)
            {
                if (reference.Digest is not null)
                {
                    var byDigest = _images.Values.FirstOrDefault(i =>
                        i.RepoDigests.Contains($"{reference.Repository}@{reference.Digest}") || i.ManifestDigest == reference.Digest);
                    if (byDigest is not null) return byDigest;
                }
                else if (_references.TryGetValue(reference.ToString(), out var id) && _images.TryGetValue(id, out var tagged))
                    return tagged;
            }
            if (idLike.Length >= 4 && Ids.IsHex(idLike))
            {
                var matches = _images.Values.Where(i => i.Id.AsSpan(7).StartsWith(idLike, StringComparison.Ordinal)).ToList();
                if (matches.Count == 1) return matches[0];
            }
            return null;
        }
    }

    public ImageRecord Get(string nameOrId) =>
        Find(nameOrId) ?? throw new NotFoundException($"No such image: {nameOrId}");

    public ResolvedImage Resolve(string nameOrId)
    {
        var record = Get(nameOrId);
        var config = GetConfig(record.Id);
        var dirs = config.RootFs.DiffIds.Select(LayerDir).ToList();
        return new ResolvedImage(record, config, dirs, TagsOf(record.Id));
    }

    public void Tag(string source, ImageReference target)
    {
        var image = Get(source);
        lock (_gate)
        {
            _references[target.ToString()] = image.Id;
            SaveReferences();
        }
    }

    /// <summary>
    /// Docker's image rm: a reference argument untags (and deletes the image with its last tag);
    /// an ID deletes the image and all its tags. Refused while a container uses it, unless forced.
    /// Returns the lines Docker prints (Untagged: ..., Deleted: ...).
    /// </summary>
    public IReadOnlyList<string> Remove(string nameOrId, bool force, Func<string, IReadOnlyList<string>> containersUsing)
    {
        var image = Get(nameOrId);
        var result = new List<string>();
        lock (_gate)
        {
            var tags = _references.Where(r => r.Value == image.Id).Select(r => r.Key).ToList();
            var byReference = ImageReference.TryParse(nameOrId, out var reference, out _) && reference is not null &&
                              _references.ContainsKey(reference.ToString());
            if (byReference && tags.Count > 1)
            {
                _references.Remove(reference!.ToString());
                SaveReferences();
                return [$"Untagged: {reference.Familiar}"];
            }
            var users = containersUsing(image.Id);
            if (users.Count > 0 && !force)
                throw new ConflictException(
                    $"unable to delete {image.Id[7..19]} (must be forced) - image is being used by container {Ids.Short(users[0])}");
            if (!byReference && tags.Count > 1 && !force)
                throw new ConflictException(
                    $"unable to delete {image.Id[7..19]} (must be forced) - image is referenced in multiple repositories");
            foreach (var tag in tags)
            {
                _references.Remove(tag);
                result.Add($"Untagged: {ImageReference.Parse(tag).Familiar}");
            }
            SaveReferences();
            if (users.Count > 0) return result; // forced while in use: untag only, as Docker does
            DeleteWithUntaggedParents(image, containersUsing, result);
        }
        CollectGarbage();
        return result;
    }

    /// <summary>
    /// Deletes an image, then each untagged parent that no other image builds on and no container
    /// uses (a build's intermediate steps go with the image they made, as with Docker's builder).
    /// </summary>
    void DeleteWithUntaggedParents(ImageRecord image, Func<string, IReadOnlyList<string>> containersUsing, List<string> result)
    {
        var current = image;
        while (true)
        {
            _images.Remove(current.Id);
            File.Delete(Path.Combine(MetaDir, current.Id[7..] + ".json"));
            result.Add($"Deleted: {current.Id}");
            if (current.Parent is not { } parentId || !_images.TryGetValue(parentId, out var parent)) return;
            if (_references.ContainsValue(parentId) || _images.Values.Any(i => i.Parent == parentId) || containersUsing(parentId).Count > 0) return;
            current = parent;
        }
    }

    /// <summary>
    /// docker image prune: dangling images (no tag, no image built on them), or with
    /// <paramref name="all"/> every image no container uses; of those, only what <paramref name="match"/>
    /// accepts (prune filters). Returns the deleted lines and the bytes freed.
    /// </summary>
    public (IReadOnlyList<string> Lines, long Reclaimed) Prune(bool all, Func<string, IReadOnlyList<string>> containersUsing,
        Func<ImageRecord, bool>? match = null)
    {
        var result = new List<string>();
        // Decided before taking the lock: a filter reads image configs, and those reads take it too.
        var eligible = match is null ? null : List().Where(match).Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        lock (_gate)
        {
            bool progress;
            do
            {
                progress = false;
                foreach (var image in _images.Values.OrderByDescending(i => i.Created).ToList())
                {
                    if (!_images.ContainsKey(image.Id) || containersUsing(image.Id).Count > 0) continue;
                    if (eligible is not null && !eligible.Contains(image.Id)) continue;
                    if (_images.Values.Any(i => i.Parent == image.Id)) continue; // removed with its last child
                    var tags = _references.Where(r => r.Value == image.Id).Select(r => r.Key).ToList();
                    if (tags.Count > 0 && !all) continue;
                    foreach (var tag in tags)
                    {
                        _references.Remove(tag);
                        result.Add($"Untagged: {ImageReference.Parse(tag).Familiar}");
                    }
                    DeleteWithUntaggedParents(image, containersUsing, result);
                    progress = true;
                }
            } while (progress);
            SaveReferences();
        }
        var reclaimed = CollectGarbage();
        return (result, reclaimed);
    }

    /// <summary>Takes out layers and blobs a failed operation added, unless an image has come to use them meanwhile.</summary>
    public void DiscardUnreferenced(IEnumerable<string> diffIds, IEnumerable<Digest> blobs)
    {
        var (liveLayers, liveBlobs) = LiveSets();
        foreach (var diffId in diffIds.Distinct())
        {
            var hex = Digest.Parse(diffId).Hex;
            if (liveLayers.Contains(hex)) continue;
            var dir = Path.Combine(_paths.Layers, hex);
            if (Directory.Exists(dir)) DeleteTree(dir);
        }
        foreach (var blob in blobs.Distinct())
            if (!liveBlobs.Contains(blob.Hex) && File.Exists(BlobPath(blob))) File.Delete(BlobPath(blob));
    }

    /// <summary>Deletes layers and blobs no image refers to any more.</summary>
    public long CollectGarbage()
    {
        var (liveLayers, liveBlobs) = LiveSets();
        long freed = 0;
        foreach (var dir in Directory.EnumerateDirectories(_paths.Layers))
        {
            if (liveLayers.Contains(Path.GetFileName(dir))) continue;
            freed += GetLayer("sha256:" + Path.GetFileName(dir))?.Size ?? 0;
            DeleteTree(dir);
        }
        foreach (var blob in Directory.EnumerateFiles(_paths.Blobs))
        {
            if (liveBlobs.Contains(Path.GetFileName(blob))) continue;
            freed += new FileInfo(blob).Length;
            File.Delete(blob);
        }
        return freed;
    }

    (HashSet<string> Layers, HashSet<string> Blobs) LiveSets()
    {
        HashSet<string> liveLayers, liveBlobs;
        lock (_gate)
        {
            liveLayers = [];
            liveBlobs = [];
            foreach (var image in _images.Values)
            {
                liveBlobs.Add(Digest.Parse(image.Id).Hex);
                liveBlobs.Add(Digest.Parse(image.ManifestDigest).Hex);
                try
                {
                    var manifest = JsonSerializer.Deserialize(ReadBlob(Digest.Parse(image.ManifestDigest)), RuntimeJson.Default.ImageManifest);
                    foreach (var l in manifest?.Layers ?? []) liveBlobs.Add(Digest.Parse(l.Digest).Hex);
                }
                catch (Exception e) when (e is NotFoundException or JsonException) { }
                foreach (var d in GetConfig(image.Id).RootFs.DiffIds) liveLayers.Add(Digest.Parse(d).Hex);
            }
        }
        return (liveLayers, liveBlobs);
    }

    string TempPath(string kind) => Path.Combine(_paths.Tmp, $"{kind}-{Ids.New()[..16]}");

    /// <summary>A fresh path beside the store (same filesystem, so a finished file is renamed in).</summary>
    public string NewTempPath(string kind) => TempPath(kind);

    /// <summary>Deletes a tree that may hold read-only directories and overlay whiteouts.</summary>
    internal static void DeleteTree(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (UnauthorizedAccessException)
        {
            foreach (var d in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories))
                File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(path, recursive: true);
        }
    }
}
