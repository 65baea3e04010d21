using System.Collections.Concurrent;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;
using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.Housekeeping;

/// <summary>
/// docker system df and the prune verbs. Sizes are measured on the files (Docker's rule: regular
/// files and symlinks, each inode once); an unpacked layer never changes, so its size is measured
/// once and remembered.
/// </summary>
public sealed class Housekeeper(EnginePaths paths, ImageStore images, ContainerManager containers, VolumeStore volumes)
{
    readonly ConcurrentDictionary<string, long> _layerSizes = new(StringComparer.Ordinal);

    /// <summary>The network layer, when there is one (see <see cref="INetworkPruner"/>).</summary>
    public INetworkPruner? Networks { get; set; }

    long LayerSize(string diffId) => _layerSizes.GetOrAdd(diffId, d => DirectorySize.Of(images.LayerDir(d)));

    /// <summary>A stored file's size; blobs never change either (they are named by their digest).</summary>
    long BlobSize(string hex) => _layerSizes.GetOrAdd("blob:" + hex, _ =>
    {
        var path = Path.Combine(paths.Blobs, hex);
        return File.Exists(path) ? new FileInfo(path).Length : 0;
    });

    /// <summary>What an image occupies: its unpacked layers and its blobs (config, manifest, layer archives).</summary>
    IReadOnlyList<string> FilesOf(ImageRecord image)
    {
        var files = new List<string>();
        foreach (var d in images.GetConfig(image.Id).RootFs.DiffIds) files.Add("layer:" + d);
        files.Add("blob:" + Digest.Parse(image.Id).Hex);
        files.Add("blob:" + Digest.Parse(image.ManifestDigest).Hex);
        try
        {
            var manifest = System.Text.Json.JsonSerializer.Deserialize(images.ReadBlob(Digest.Parse(image.ManifestDigest)), State.RuntimeJson.Default.ImageManifest);
            foreach (var l in manifest?.Layers ?? []) files.Add("blob:" + Digest.Parse(l.Digest).Hex);
        }
        catch (Exception e) when (e is NotFoundException or System.Text.Json.JsonException) { }
        return files.Distinct(StringComparer.Ordinal).ToList();
    }

    long FileSize(string key) => key.StartsWith("layer:", StringComparison.Ordinal) ? LayerSize(key[6..]) : BlobSize(key[5..]);

    // ---- df ----------------------------------------------------------------------------------

    /// <summary>
    /// Sizes measured on the files. An image's size is its unpacked layers plus its blobs; what images
    /// share is counted once in the total; reclaimable is what removing every image no container
    /// uses would free (exactly what image prune -a reports).
    /// </summary>
    public DiskUsageReport DiskUsage()
    {
        var all = containers.All();
        var imageFiles = new List<(ImageRecord Image, IReadOnlyList<string> Files)>();
        foreach (var image in images.List())
        {
            try { imageFiles.Add((image, FilesOf(image))); }
            catch (NotFoundException) { }
        }
        var users = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, files) in imageFiles)
            foreach (var f in files) users[f] = users.GetValueOrDefault(f) + 1;
        var usedImages = all.Select(c => c.Config.ImageId).ToHashSet(StringComparer.Ordinal);
        var usedFiles = imageFiles.Where(x => usedImages.Contains(x.Image.Id)).SelectMany(x => x.Files).ToHashSet(StringComparer.Ordinal);

        var imageRows = imageFiles.Select(x => new ImageUsage(
            x.Image.Id, images.TagsOf(x.Image.Id), x.Image.Created,
            x.Files.Sum(FileSize), x.Files.Where(f => users[f] > 1).Sum(FileSize),
            all.Count(c => c.Config.ImageId == x.Image.Id))).ToList();
        var layersSize = users.Keys.Sum(FileSize);
        var imagesReclaimable = users.Keys.Where(f => !usedFiles.Contains(f)).Sum(FileSize);

        var containerRows = all.OrderByDescending(c => c.Config.Created).Select(c => new ContainerUsage(
            c.Id, c.Name, c.Config.Image, string.Join(' ', new[] { c.Config.Path }.Concat(c.Config.Args)), c.Config.Created,
            c.State.Status, c.State.Running, DirectorySize.Of(c.Files.Upper),
            c.Config.Mounts.Count(m => m.Type == MountPoint.VolumeType))).ToList();

        var volumeRows = volumes.List().Select(v => new VolumeUsage(v, volumes.Mountpoint(v.Name), volumes.Size(v.Name), volumes.UsedBy(v.Name).Count)).ToList();
        return new DiskUsageReport(layersSize, imagesReclaimable, imageRows, containerRows, volumeRows);
    }

    // ---- prune -------------------------------------------------------------------------------

    /// <summary>docker container prune: every container that is not running (nor paused, nor restarting).</summary>
    public async Task<(IReadOnlyList<string> Deleted, long Reclaimed)> PruneContainersAsync(PruneFilter filter, CancellationToken ct = default)
    {
        var deleted = new List<string>();
        long reclaimed = 0;
        foreach (var c in containers.All())
        {
            var s = c.State;
            if (s.Running || s.Restarting || s.Status is ContainerStatus.Running or ContainerStatus.Paused or ContainerStatus.Restarting) continue;
            if (!filter.Matches(c.Config.Labels, c.Config.Created)) continue;
            var size = DirectorySize.Of(c.Files.Upper);
            try { await containers.RemoveAsync(c.Id, force: false, ct).ConfigureAwait(false); }
            catch (EngineException) { continue; } // started or removed meanwhile
            deleted.Add(c.Id);
            reclaimed += size;
        }
        return (deleted, reclaimed);
    }

    /// <summary>
    /// docker image prune through the image store's own rule (dangling: untagged, with no image built
    /// on it; with <paramref name="all"/>, every image no container uses), narrowed by the filter.
    /// Reclaimed space is measured as df measures it, so it equals what df called reclaimable.
    /// </summary>
    public (IReadOnlyList<string> Lines, long Reclaimed) PruneImages(bool all, PruneFilter filter)
    {
        var before = StoreFiles();
        var (lines, _) = images.Prune(all, containers.UsingImage, image =>
        {
            try { return filter.Matches(images.GetConfig(image.Id).Config.Labels, image.Created); }
            catch (NotFoundException) { return false; }
        });
        var after = StoreFiles();
        return (lines, before.Where(kv => !after.ContainsKey(kv.Key)).Sum(kv => kv.Value));
    }

    /// <summary>The image store's layer directories and blobs, with their sizes.</summary>
    Dictionary<string, long> StoreFiles()
    {
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(paths.Layers))
            files["layer:sha256:" + Path.GetFileName(dir)] = LayerSize("sha256:" + Path.GetFileName(dir));
        foreach (var blob in Directory.EnumerateFiles(paths.Blobs))
            files["blob:" + Path.GetFileName(blob)] = BlobSize(Path.GetFileName(blob));
        return files;
    }

    /// <summary>docker volume prune: anonymous volumes no container uses (with <paramref name="all"/>, named ones too).</summary>
    public (IReadOnlyList<string> Deleted, long Reclaimed) PruneVolumes(bool all, PruneFilter filter) =>
        volumes.Prune(v => (all || v.IsAnonymous) && filter.Matches(v.Labels, v.CreatedAt));

    public IReadOnlyList<string> PruneNetworks(PruneFilter filter) => Networks?.PruneNetworks(filter) ?? [];
}
