using System.IO.Compression;
using System.Text.Json;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images;

/// <summary>Removal, prune and garbage collection: what no image or container references goes.</summary>
public sealed partial class ImageStore
{
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

}
