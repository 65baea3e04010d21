namespace GitOps.Runtime.Images;

/// <summary>docker import: one tar (plain or gzip) becomes a one-layer image.</summary>
public static class ImageImporter
{
    public static async Task<ImageRecord> ImportAsync(ImageStore store, Stream input, ImageReference? tag,
        string? message, IReadOnlyList<string> changes, CancellationToken ct = default)
    {
        var config = ConfigChanges.Apply(new ImageRuntimeConfig(), changes);
        // Store the uncompressed tar as the layer blob: its digest is the diff ID.
        await using var tar = ImageStore.OpenDecompressed(input);
        var (digest, size) = await store.WriteBlobAsync(tar, null, ct).ConfigureAwait(false);
        // Nothing at all is no archive (an empty tar is 1 KiB of zeros); the empty blob is shared and harmless.
        if (size == 0) throw new InvalidDataException("the archive is empty: expected a tar (plain or gzip-compressed)");
        var blob = store.BlobPath(digest);
        await store.AddLayerAsync(() => File.OpenRead(blob), digest, ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var imageConfig = new ImageConfigFile
        {
            Created = now,
            Architecture = ConfigChanges.HostArchitecture,
            Os = "linux",
            Config = config,
            RootFs = new RootFs("layers", [digest.ToString()]),
            History = [new HistoryEntry(now, "gitops image import", Comment: message ?? "Imported from tarball")],
        };
        return store.AddImage(imageConfig, [new Descriptor(MediaTypes.OciLayer, digest.ToString(), size)],
            tag is null ? [] : [tag]);
    }
}
