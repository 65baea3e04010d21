using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Runtime.Images.Registry;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images;

/// <summary>docker-archive's manifest.json entry.</summary>
public sealed class ArchiveEntry
{
    [JsonPropertyName("Config")] public string Config { get; set; } = "";
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; set; }
    [JsonPropertyName("Layers")] public List<string> Layers { get; set; } = [];
}

[JsonSerializable(typeof(List<ArchiveEntry>))]
internal sealed partial class ArchiveJson : JsonSerializerContext;

/// <summary>
/// docker save / load. Saving writes one tar that is both an OCI image layout (oci-layout,
/// index.json, blobs/sha256) and a docker-archive (manifest.json naming the same blob files), as
/// Docker 25+ does, so either kind of reader loads it. Loading takes either kind (plain or gzip),
/// verifying every blob against its digest and every layer against its diff ID.
/// </summary>
public sealed class ImageArchive(ImageStore store)
{
    const string RefName = "org.opencontainers.image.ref.name";
    const string ImageName = "io.containerd.image.name";

    public void Save(IReadOnlyList<string> names, Stream output)
    {
        var images = new List<(ImageRecord Image, List<ImageReference> Tags)>();
        foreach (var name in names)
        {
            var image = store.Get(name);
            var tags = ImageReference.TryParse(name, out var r, out _) && r!.Digest is null && store.Find(r.ToString())?.Id == image.Id && !name.StartsWith("sha256:", StringComparison.Ordinal) && !IsIdPrefix(name, image)
                ? [r] : store.TagsOf(image.Id).Select(ImageReference.Parse).ToList();
            var existing = images.FindIndex(i => i.Image.Id == image.Id);
            if (existing >= 0) images[existing].Tags.AddRange(tags.Where(t => !images[existing].Tags.Contains(t)));
            else images.Add((image, tags));
        }
        using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        var written = new HashSet<string>(StringComparer.Ordinal);
        void Blob(Digest digest)
        {
            if (!written.Add(digest.Hex)) return;
            var path = store.BlobPath(digest);
            if (!File.Exists(path)) throw new NotFoundException($"blob {digest} is not in the store (its layer came from another image); pull the image again to save it");
            tar.WriteEntry(path, "blobs/sha256/" + digest.Hex);
        }
        void Text(string name, byte[] content)
        {
            var e = new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x1A4, ModificationTime = DateTimeOffset.UnixEpoch, DataStream = new MemoryStream(content) };
            tar.WriteEntry(e);
        }
        Text("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray());
        var index = new List<Descriptor>();
        var entries = new List<ArchiveEntry>();
        foreach (var (image, tags) in images)
        {
            var manifestDigest = Digest.Parse(image.ManifestDigest);
            var manifestBytes = store.ReadBlob(manifestDigest);
            var manifest = store.GetManifest(image);
            var mediaType = JsonSerializer.Deserialize(manifestBytes, RegistryJson.Default.ManifestProbe)?.MediaType ?? MediaTypes.OciManifest;
            Blob(manifestDigest);
            Blob(Digest.Parse(manifest.Config.Digest));
            foreach (var l in manifest.Layers) Blob(Digest.Parse(l.Digest));
            var descriptor = new Descriptor(mediaType, manifestDigest.ToString(), manifestBytes.Length);
            if (tags.Count == 0) index.Add(descriptor);
            foreach (var t in tags)
                index.Add(descriptor with { Annotations = new() { [ImageName] = t.ToString(), [RefName] = t.Tag ?? ImageReference.DefaultTag } });
            entries.Add(new ArchiveEntry
            {
                Config = "blobs/sha256/" + Digest.Parse(manifest.Config.Digest).Hex,
                RepoTags = tags.Select(t => t.Familiar).ToList(),
                Layers = manifest.Layers.Select(l => "blobs/sha256/" + Digest.Parse(l.Digest).Hex).ToList(),
            });
        }
        Text("index.json", JsonSerializer.SerializeToUtf8Bytes(new ImageIndex(2, MediaTypes.OciIndex, index), RuntimeJson.Default.ImageIndex));
        Text("manifest.json", JsonSerializer.SerializeToUtf8Bytes(entries, ArchiveJson.Default.ListArchiveEntry));
    }

    static bool IsIdPrefix(string name, ImageRecord image) => name.Length >= 4 && image.Id.AsSpan(7).StartsWith(name, StringComparison.Ordinal);

    /// <summary>Loads an archive unpacked in <paramref name="dir"/>; reports "Loaded image: ..." lines.</summary>
    public async Task<IReadOnlyList<ImageRecord>> LoadAsync(string dir, Action<ProgressMessage> progress, CancellationToken ct)
    {
        var loaded = new List<ImageRecord>();
        var indexFile = TopLevel(dir, "index.json");
        var layoutFile = TopLevel(dir, "oci-layout");
        var manifestFile = TopLevel(dir, "manifest.json");
        if (indexFile is not null && layoutFile is not null)
        {
            var index = ReadJson(indexFile, RuntimeJson.Default.ImageIndex);
            // Docker's own archives name their tags in manifest.json as well: use those when the index has none.
            var dockerTags = manifestFile is not null ? ReadJson(manifestFile, ArchiveJson.Default.ListArchiveEntry) : null;
            foreach (var d in index.Manifests)
            {
                var descriptor = d;
                if (descriptor.MediaType is MediaTypes.OciIndex or MediaTypes.DockerManifestList)
                {
                    var nested = ReadJson(BlobFile(dir, descriptor.Digest), RuntimeJson.Default.ImageIndex);
                    descriptor = nested.Manifests.FirstOrDefault(m => PlatformSpec.Host.Matches(m.Platform)) ?? nested.Manifests.FirstOrDefault()
                                 ?? throw new InvalidArgumentException("the archive's index is empty");
                }
                var manifestBytes = await VerifiedAsync(BlobFile(dir, descriptor.Digest), Digest.Parse(descriptor.Digest), ct).ConfigureAwait(false);
                var manifest = JsonSerializer.Deserialize(manifestBytes, RuntimeJson.Default.ImageManifest) ?? throw new InvalidArgumentException("empty manifest");
                var tags = new List<ImageReference>();
                if (d.Annotations?.GetValueOrDefault(ImageName) is { } full && ImageReference.TryParse(full, out var r1, out _)) tags.Add(r1!);
                else if (d.Annotations?.GetValueOrDefault(RefName) is { } refName && refName.Contains('/') && ImageReference.TryParse(refName, out var r2, out _)) tags.Add(r2!);
                var configPath = "blobs/sha256/" + Digest.Parse(manifest.Config.Digest).Hex;
                if (tags.Count == 0 && dockerTags?.FirstOrDefault(e => e.Config == configPath) is { RepoTags: { } rt })
                    tags.AddRange(rt.Select(ImageReference.Parse));
                var record = await AddAsync(dir, manifest.Config.Digest, manifest.Layers.Select(l => (BlobFile(dir, l.Digest), (Digest?)Digest.Parse(l.Digest), (string?)l.MediaType)).ToList(), tags, ct).ConfigureAwait(false);
                // The manifest is kept as it came, so a push sends the same digest.
                store.WriteBlob(manifestBytes);
                record = store.Register(Digest.Parse(record.Id), Digest.Parse(descriptor.Digest), store.GetConfig(record.Id), tags);
                Report(record, tags, progress);
                loaded.Add(record);
            }
            return loaded;
        }
        if (manifestFile is null)
            throw new InvalidArgumentException("not an image archive: neither index.json nor manifest.json found");
        foreach (var entry in ReadJson(manifestFile, ArchiveJson.Default.ListArchiveEntry))
        {
            var configFile = Inside(dir, entry.Config);
            var configDigest = Digest.Sha256(await File.ReadAllBytesAsync(configFile, ct).ConfigureAwait(false));
            var tags = (entry.RepoTags ?? []).Select(ImageReference.Parse).ToList();
            var record = await AddAsync(dir, configDigest.ToString(), entry.Layers.Select(l => (Inside(dir, l), (Digest?)null, (string?)null)).ToList(), tags, ct, configFile).ConfigureAwait(false);
            Report(record, tags, progress);
            loaded.Add(record);
        }
        return loaded;
    }

    async Task<ImageRecord> AddAsync(string dir, string configDigestText, List<(string File, Digest? Digest, string? MediaType)> layers,
        List<ImageReference> tags, CancellationToken ct, string? configFile = null)
    {
        var configDigest = Digest.Parse(configDigestText);
        var configBytes = await VerifiedAsync(configFile ?? BlobFile(dir, configDigestText), configDigest, ct).ConfigureAwait(false);
        var config = JsonSerializer.Deserialize(configBytes, RuntimeJson.Default.ImageConfigFile) ?? throw new InvalidArgumentException("empty image config");
        if (config.RootFs.DiffIds.Count != layers.Count)
            throw new InvalidArgumentException($"the archive's image has {layers.Count} layers but its config {config.RootFs.DiffIds.Count} diff IDs");
        var descriptors = new List<Descriptor>();
        for (var i = 0; i < layers.Count; i++)
        {
            var (file, expected, mediaType) = layers[i];
            Digest digest;
            long size;
            await using (var input = File.OpenRead(file))
                (digest, size) = await store.WriteBlobAsync(input, expected, ct).ConfigureAwait(false);
            var blob = store.BlobPath(digest);
            await store.AddLayerAsync(() => ImageStore.OpenDecompressed(File.OpenRead(blob)), Digest.Parse(config.RootFs.DiffIds[i]), ct).ConfigureAwait(false);
            descriptors.Add(new Descriptor(mediaType ?? (IsGzip(blob) ? MediaTypes.OciLayerGzip : MediaTypes.OciLayer), digest.ToString(), size));
        }
        return store.AddImage(config, descriptors, tags) is var record && Digest.Parse(record.Id) == configDigest ? record
            : throw new InvalidArgumentException("the image config changed on the way in");
    }

    static bool IsGzip(string path)
    {
        Span<byte> head = stackalloc byte[2];
        using var f = File.OpenRead(path);
        return f.Read(head) == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    static void Report(ImageRecord record, List<ImageReference> tags, Action<ProgressMessage> progress)
    {
        if (tags.Count == 0) progress(ProgressMessage.Text($"Loaded image ID: {record.Id}\n"));
        foreach (var t in tags) progress(ProgressMessage.Text($"Loaded image: {t.Familiar}\n"));
    }

    static async Task<byte[]> VerifiedAsync(string file, Digest digest, CancellationToken ct)
    {
        var bytes = await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false);
        var got = Digest.Sha256(bytes);
        return got == digest ? bytes : throw new DigestMismatchException($"archive blob {digest}: content hashes to {got}");
    }

    static string BlobFile(string dir, string digest) => Inside(dir, "blobs/sha256/" + Digest.Parse(digest).Hex);

    /// <summary>
    /// One of the archive's own files (manifest.json, index.json, oci-layout), or null when it has
    /// none. It must be a regular file in the archive: a symlink there would make the daemon read a
    /// file of the host (/etc/shadow as "manifest.json"), and a FIFO or device would hang or leak.
    /// </summary>
    static string? TopLevel(string dir, string name)
    {
        var path = Path.Combine(dir, name);
        if (!Linux.Sys.TryLstat(path, out var st, out _)) return null;
        return st.IsRegular ? path : throw new InvalidArgumentException($"invalid image archive: {name} is {KindOf(st)}, not a regular file");
    }

    static string KindOf(Linux.FileStat st) => st.Type switch
    {
        Linux.FileStat.S_IFLNK => "a symbolic link",
        Linux.FileStat.S_IFDIR => "a directory",
        Linux.FileStat.S_IFIFO => "a FIFO",
        Linux.FileStat.S_IFCHR or Linux.FileStat.S_IFBLK => "a device",
        Linux.FileStat.S_IFSOCK => "a socket",
        _ => "not a file",
    };

    /// <summary>A path named by the archive, which must stay inside it and be a regular file there.</summary>
    static string Inside(string dir, string relative)
    {
        if (!Build.RootPath.StaysInside(relative)) throw new InvalidArgumentException($"the archive names a path outside itself: {relative}");
        var path = Build.RootPath.Resolve(dir, relative);
        if (!Linux.Sys.TryLstat(path, out var st, out _)) throw new InvalidArgumentException($"the archive lacks {relative}");
        return st.IsRegular ? path : throw new InvalidArgumentException($"invalid image archive: {relative} is {KindOf(st)}, not a regular file");
    }

    static T ReadJson<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), type) ?? throw new InvalidArgumentException($"{Path.GetFileName(path)} is empty"); }
        catch (JsonException e) { throw new InvalidArgumentException($"{Path.GetFileName(path)}: {e.Message}"); }
    }
}
