using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using GitOps.Runtime.Images;
using GitOps.Runtime.State;

namespace GitOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Writes an OCI image layout (oci-layout, index.json, blobs/sha256) by hand from tar layers, so
/// that an independent client (skopeo) can put the images into a registry. Shared with bench/.
/// </summary>
public sealed class OciLayout
{
    readonly string _dir;
    readonly List<Descriptor> _index = [];

    public OciLayout(string dir)
    {
        _dir = dir;
        Directory.CreateDirectory(Path.Combine(dir, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(dir, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    public string Dir => _dir;

    public Descriptor AddBlob(byte[] data, string mediaType, Platform? platform = null, Dictionary<string, string>? annotations = null)
    {
        var digest = Digest.Sha256(data);
        File.WriteAllBytes(Path.Combine(_dir, "blobs", "sha256", digest.Hex), data);
        return new Descriptor(mediaType, digest.ToString(), data.Length, annotations, platform);
    }

    /// <summary>A layer from tar entries; returns the (gzipped) blob descriptor and the diff ID.</summary>
    public (Descriptor Blob, string DiffId) AddLayer(Action<TarWriter> write, bool gzip = true)
    {
        using var tar = new MemoryStream();
        using (var w = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true)) write(w);
        return AddLayer(tar.ToArray(), gzip);
    }

    public (Descriptor Blob, string DiffId) AddLayer(byte[] tar, bool gzip = true)
    {
        var diffId = Digest.Sha256(tar).ToString();
        if (!gzip) return (AddBlob(tar, MediaTypes.OciLayer), diffId);
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(tar);
        return (AddBlob(gz.ToArray(), MediaTypes.OciLayerGzip), diffId);
    }

    /// <summary>A directory tree as a layer (as TarPacker packs it).</summary>
    public (Descriptor Blob, string DiffId) AddDirectoryLayer(string dir, bool gzip = true)
    {
        using var tar = new MemoryStream();
        new TarPacker().Pack(dir, tar);
        return AddLayer(tar.ToArray(), gzip);
    }

    public Descriptor AddImage(IReadOnlyList<(Descriptor Blob, string DiffId)> layers, ImageRuntimeConfig runtime, string arch = "amd64", string? tag = null)
    {
        var config = new ImageConfigFile
        {
            Created = DateTimeOffset.UnixEpoch.AddYears(50),
            Architecture = arch,
            Os = "linux",
            Config = runtime,
            RootFs = new RootFs("layers", layers.Select(l => l.DiffId).ToList()),
            History = layers.Select((_, i) => new HistoryEntry(CreatedBy: $"test layer {i}")).ToList(),
        };
        var configDesc = AddBlob(JsonSerializer.SerializeToUtf8Bytes(config, RuntimeJson.Default.ImageConfigFile), MediaTypes.OciConfig);
        var manifest = new ImageManifest(2, MediaTypes.OciManifest, configDesc, layers.Select(l => l.Blob).ToList());
        var desc = AddBlob(JsonSerializer.SerializeToUtf8Bytes(manifest, RuntimeJson.Default.ImageManifest), MediaTypes.OciManifest,
            new Platform(arch, "linux"), tag is null ? null : new() { ["org.opencontainers.image.ref.name"] = tag });
        if (tag is not null) _index.Add(desc);
        return desc;
    }

    /// <summary>An image index over several manifests, named <paramref name="tag"/> in the layout.</summary>
    public Descriptor AddIndex(IReadOnlyList<Descriptor> manifests, string tag)
    {
        var index = new ImageIndex(2, MediaTypes.OciIndex, manifests);
        var desc = AddBlob(JsonSerializer.SerializeToUtf8Bytes(index, RuntimeJson.Default.ImageIndex), MediaTypes.OciIndex,
            annotations: new() { ["org.opencontainers.image.ref.name"] = tag });
        _index.Add(desc);
        return desc;
    }

    public void Save()
    {
        var index = new ImageIndex(2, MediaTypes.OciIndex, _index);
        File.WriteAllBytes(Path.Combine(_dir, "index.json"), JsonSerializer.SerializeToUtf8Bytes(index, RuntimeJson.Default.ImageIndex));
    }

    public static void File_(TarWriter w, string name, string content, int mode = 0x1A4 /* 0644 */)
    {
        var e = new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)mode, ModificationTime = DateTimeOffset.UnixEpoch.AddYears(40) };
        e.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
        w.WriteEntry(e);
    }

    public static void Dir_(TarWriter w, string name) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name.TrimEnd('/') + "/") { Mode = (UnixFileMode)0x1ED, ModificationTime = DateTimeOffset.UnixEpoch.AddYears(40) });

    public static void Whiteout(TarWriter w, string dir, string name) => File_(w, (dir.Length == 0 ? "" : dir.TrimEnd('/') + "/") + ".wh." + name, "");

    public static void Opaque(TarWriter w, string dir) => File_(w, dir.TrimEnd('/') + "/.wh..wh..opq", "");
}
