using System.Text.Json;

namespace GitOps.Runtime.Images.Registry;

/// <summary>
/// docker push: every blob the registry lacks goes up (a HEAD first; a cross-repository mount when
/// the image came from another repository of the same registry), then the manifest, under the tag.
/// The manifest pushed is the stored one, byte for byte, so the digest the registry reports is the
/// image's own.
/// </summary>
public sealed class ImagePusher(ImageStore store, RegistryOptions options, CredentialStore credentials)
{
    public async Task<Digest> PushAsync(ImageReference reference, Action<ProgressMessage> progress, CancellationToken ct)
    {
        var image = store.Get(reference.ToString());
        var manifestBytes = store.ReadBlob(Digest.Parse(image.ManifestDigest));
        var manifest = store.GetManifest(image);
        var mediaType = JsonSerializer.Deserialize(manifestBytes, RegistryJson.Default.ManifestProbe)?.MediaType ?? MediaTypes.OciManifest;
        using var client = new RegistryClient(reference.Domain, options, credentials.Get(reference.Domain));
        var repo = reference.Path;
        progress(ProgressMessage.Line($"The push refers to repository [{reference.Repository}]"));
        // Where else on this registry the image lives: blobs can be mounted from there instead of sent.
        var mountFrom = image.RepoDigests.Select(d => d.Split('@')[0]).Select(r => ImageReference.Parse(r))
            .FirstOrDefault(r => r.Domain == reference.Domain && r.Path != repo)?.Path;

        using var slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentUploads));
        var blobs = manifest.Layers.Append(manifest.Config).ToList();
        foreach (var layer in manifest.Layers) progress(ProgressMessage.Line("Preparing", Digest.Parse(layer.Digest).Short));
        await Task.WhenAll(blobs.Select(async blob =>
        {
            await slots.WaitAsync(ct).ConfigureAwait(false);
            try { await PushBlobAsync(client, repo, blob, blob == manifest.Config, mountFrom, progress, ct).ConfigureAwait(false); }
            finally { slots.Release(); }
        })).ConfigureAwait(false);

        var tag = reference.Tag ?? ImageReference.DefaultTag;
        await client.PutManifestAsync(repo, tag, manifestBytes, mediaType, ct).ConfigureAwait(false);
        var digest = Digest.Parse(image.ManifestDigest);
        store.Register(Digest.Parse(image.Id), digest, store.GetConfig(image.Id), [], $"{reference.Repository}@{digest}");
        progress(ProgressMessage.Line($"{tag}: digest: {digest} size: {manifestBytes.Length}"));
        return digest;
    }

    async Task PushBlobAsync(RegistryClient client, string repo, Descriptor blob, bool isConfig, string? mountFrom,
        Action<ProgressMessage> progress, CancellationToken ct)
    {
        var digest = Digest.Parse(blob.Digest);
        var id = digest.Short;
        void Say(string status) { if (!isConfig) progress(ProgressMessage.Line(status, id)); }
        if (await client.BlobExistsAsync(repo, digest, ct).ConfigureAwait(false)) { Say("Layer already exists"); return; }
        if (mountFrom is not null && await client.MountBlobAsync(repo, digest, mountFrom, ct).ConfigureAwait(false))
        {
            Say($"Mounted from {mountFrom}");
            return;
        }
        var path = store.BlobPath(digest);
        if (!File.Exists(path))
            throw new NotFoundException($"blob {digest} of this image is not in the store (its layer came from another image); pull the image again to push it");
        var size = new FileInfo(path).Length;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.UploadBlobAsync(repo, digest, size, () => new ProgressReadStream(File.OpenRead(path), n => progress(ProgressMessage.Bytes("Pushing", id, n, size)), isConfig), ct).ConfigureAwait(false);
                break;
            }
            catch (TransientRegistryException) when (attempt < options.Attempts)
            {
                await Task.Delay(options.RetryDelay * (1 << (attempt - 1)), ct).ConfigureAwait(false);
            }
        }
        Say("Pushed");
    }

    /// <summary>A file read for upload, reporting how far it got.</summary>
    sealed class ProgressReadStream(Stream inner, Action<long> progress, bool quiet) : ReadOnlyStream
    {
        long _read, _last;
        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Count(await inner.ReadAsync(buffer, ct).ConfigureAwait(false));
        int Count(int n)
        {
            _read += n;
            if (!quiet && (_read - _last >= 1 << 19 || n == 0)) { _last = _read; progress(_read); }
            return n;
        }
        public override long Length => inner.Length;
        public override long Position => _read;
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }
}
