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
public sealed partial class ImageStore
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
