using System.Collections.Concurrent;
using System.Text.Json;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images.Registry;

/// <summary>
/// docker pull: resolves a reference to one manifest (picking the platform from an index), fetches
/// the config, then the layers concurrently. Each layer is verified and unpacked while it downloads
/// (network → digest check and blob copy → gunzip → diff ID check → unpacker); layers the store
/// has are skipped. On any failure, everything this pull added is taken out again: the store is as
/// it was.
/// </summary>
public sealed class ImagePuller(ImageStore store, RegistryOptions options, CredentialStore credentials)
{
    const long MaxDocumentSize = 16 << 20;

    public async Task<ImageRecord> PullAsync(ImageReference reference, string? platform, Action<ProgressMessage> progress, CancellationToken ct)
    {
        var wanted = PlatformSpec.Parse(platform);
        using var client = new RegistryClient(reference.Domain, options, credentials.Get(reference.Domain));
        var repo = reference.Path;
        var tagOrDigest = reference.Digest ?? reference.Tag ?? ImageReference.DefaultTag;
        var top = await WithRetries(() => client.GetManifestAsync(repo, tagOrDigest, ct), ct).ConfigureAwait(false);
        // Said only once the name resolved: a pull of an unknown image fails with a status, before any stream.
        progress(ProgressMessage.Line($"{tagOrDigest}: Pulling from {repo}"));
        var manifest = top;
        if (IsIndex(top.MediaType))
        {
            var index = JsonSerializer.Deserialize(top.Bytes, RuntimeJson.Default.ImageIndex)
                        ?? throw new RegistryException($"{reference.Familiar}: empty image index", EngineErrorKind.Upstream);
            var pick = index.Manifests.FirstOrDefault(m => wanted.Matches(m.Platform) && !IsAttestation(m))
                       ?? throw new RegistryException($"no matching manifest for {wanted} in the manifest list entries of {reference.Familiar} " +
                                                      $"(it has: {string.Join(", ", index.Manifests.Where(m => m.Platform is not null).Select(m => $"{m.Platform!.Os}/{m.Platform.Architecture}"))})", EngineErrorKind.NotFound);
            manifest = await WithRetries(() => client.GetManifestAsync(repo, pick.Digest, ct), ct).ConfigureAwait(false);
            if (IsIndex(manifest.MediaType)) throw new RegistryException($"{reference.Familiar}: nested image indexes are not supported", EngineErrorKind.Upstream);
        }
        if (manifest.MediaType.StartsWith("application/vnd.docker.distribution.manifest.v1", StringComparison.Ordinal))
            throw new RegistryException($"{reference.Familiar}: Docker schema 1 manifests are not supported (push the image again with a current client)", EngineErrorKind.Upstream);
        var image = JsonSerializer.Deserialize(manifest.Bytes, RuntimeJson.Default.ImageManifest)
                    ?? throw new RegistryException($"{reference.Familiar}: empty manifest", EngineErrorKind.Upstream);
        if (image.Config is null || image.Layers is null) throw new RegistryException($"{reference.Familiar}: the manifest has no config or layers", EngineErrorKind.Upstream);

        var repoDigest = $"{reference.Repository}@{top.Digest}";
        var tags = reference.Tag is not null && reference.Digest is null ? new[] { reference } : [];
        if (store.List().FirstOrDefault(i => i.ManifestDigest == manifest.Digest.ToString()) is { } have && store.TryGetConfig(have.Id) is not null
            && (tags.Length == 0 || store.Find(reference.ToString())?.Id == have.Id))
        {
            var kept = store.Register(Digest.Parse(have.Id), manifest.Digest, store.GetConfig(have.Id), tags, repoDigest);
            progress(ProgressMessage.Line($"Digest: {top.Digest}"));
            progress(ProgressMessage.Line($"Status: Image is up to date for {reference.Familiar}"));
            return kept;
        }

        var configDigest = Digest.Parse(image.Config.Digest);
        var configBytes = store.HasBlob(configDigest)
            ? store.ReadBlob(configDigest)
            : await WithRetries(() => client.GetBlobAsync(repo, configDigest, MaxDocumentSize, ct), ct).ConfigureAwait(false);
        ImageConfigFile config;
        try { config = JsonSerializer.Deserialize(configBytes, RuntimeJson.Default.ImageConfigFile) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new RegistryException($"{reference.Familiar}: invalid image config: {e.Message}", EngineErrorKind.Upstream); }
        if (config.RootFs.DiffIds.Count != image.Layers.Count)
            throw new RegistryException($"{reference.Familiar}: the manifest has {image.Layers.Count} layers but the config {config.RootFs.DiffIds.Count} diff IDs", EngineErrorKind.Upstream);

        var added = new ConcurrentBag<string>();
        var addedBlobs = new ConcurrentBag<Digest>();
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentDownloads));
        try
        {
            var tasks = image.Layers.Select((layer, i) => PullLayerAsync(client, repo, layer, Digest.Parse(config.RootFs.DiffIds[i]),
                slots, progress, added, addedBlobs, failFast)).ToList();
            try { await Task.WhenAll(tasks).ConfigureAwait(false); }
            catch
            {
                // The first real failure, not a sibling's cancellation, is the one to report.
                var first = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
                if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
                throw;
            }
            store.WriteBlob(configBytes);
            store.WriteBlob(manifest.Bytes);
            var record = store.Register(configDigest, manifest.Digest, config, tags, repoDigest);
            progress(ProgressMessage.Line($"Digest: {top.Digest}"));
            progress(ProgressMessage.Line($"Status: Downloaded newer image for {reference.Familiar}"));
            return record;
        }
        catch
        {
            store.DiscardUnreferenced(added, addedBlobs);
            throw;
        }
    }

    async Task PullLayerAsync(RegistryClient client, string repo, Descriptor layer, Digest diffId, SemaphoreSlim slots,
        Action<ProgressMessage> progress, ConcurrentBag<string> added, ConcurrentBag<Digest> addedBlobs, CancellationTokenSource failFast)
    {
        var digest = Digest.Parse(layer.Digest);
        var id = digest.Short;
        if (store.HasLayer(diffId.ToString()) && store.HasBlob(digest))
        {
            progress(ProgressMessage.Line("Already exists", id));
            return;
        }
        if (layer.MediaType is MediaTypes.OciLayerZstd || layer.MediaType.EndsWith("+zstd", StringComparison.Ordinal))
            throw new RegistryException($"layer {digest}: zstd-compressed layers are not supported", EngineErrorKind.Unsupported);
        progress(ProgressMessage.Line("Pulling fs layer", id));
        await slots.WaitAsync(failFast.Token).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await DownloadLayerAsync(client, repo, layer, digest, diffId, progress, added, addedBlobs, failFast.Token).ConfigureAwait(false);
                    progress(ProgressMessage.Line("Pull complete", id));
                    return;
                }
                catch (Exception e) when (IsTransient(e) && attempt < options.Attempts && !failFast.IsCancellationRequested)
                {
                    var delay = options.RetryDelay * (1 << (attempt - 1));
                    progress(ProgressMessage.Line($"Retrying in {Math.Max(1, (int)delay.TotalSeconds)} second{(delay.TotalSeconds > 1 ? "s" : "")} ({e.Message})", id));
                    await Task.Delay(delay, failFast.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failFast.Cancel();
            throw;
        }
        finally { slots.Release(); }
    }

    async Task DownloadLayerAsync(RegistryClient client, string repo, Descriptor layer, Digest digest, Digest diffId,
        Action<ProgressMessage> progress, ConcurrentBag<string> added, ConcurrentBag<Digest> addedBlobs, CancellationToken ct)
    {
        var id = digest.Short;
        var tmp = store.NewTempPath("pull");
        try
        {
            var (content, _) = await client.OpenBlobAsync(repo, digest, ct).ConfigureAwait(false);
            await using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var verifying = new VerifyingStream(content, digest, layer.Size, file, n => progress(ProgressMessage.Bytes("Downloading", id, n, layer.Size)));
                using var cancel = ct.Register(verifying.Release);
                try
                {
                    if (!store.HasLayer(diffId.ToString()))
                    {
                        await UnpackAsync(verifying, digest, diffId, ct).ConfigureAwait(false);
                        added.Add(diffId.ToString());
                    }
                    // Only the blob was missing, or the unpacker stopped at the tar's end: the rest is read and checked.
                    if (!verifying.Verified) await Task.Run(verifying.DrainToEnd, ct).ConfigureAwait(false);
                }
                finally { verifying.Release(); }
                file.Flush(flushToDisk: true);
            }
            store.CommitBlobFile(tmp, digest);
            addedBlobs.Add(digest);
        }
        finally { if (File.Exists(tmp)) File.Delete(tmp); }
    }

    async Task UnpackAsync(VerifyingStream verifying, Digest digest, Digest diffId, CancellationToken ct)
    {
        try
        {
            await store.AddLayerAsync(() => new VerifiedEndStream(ImageStore.OpenDecompressed(verifying), verifying), diffId, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            // Corrupt bytes usually break the decompressor before the end: the digest says why.
            if (!verifying.Verified) await Task.Run(verifying.DrainToEnd, ct).ConfigureAwait(false);
            throw new RegistryException($"layer {digest}: cannot unpack: {e.Message}", EngineErrorKind.Upstream, e);
        }
    }

    async Task<T> WithRetries<T>(Func<Task<T>> action, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try { return await action().ConfigureAwait(false); }
            catch (Exception e) when (IsTransient(e) && attempt < options.Attempts)
            {
                await Task.Delay(options.RetryDelay * (1 << (attempt - 1)), ct).ConfigureAwait(false);
            }
        }
    }

    static bool IsTransient(Exception e) => e is TransientRegistryException or IOException or HttpRequestException;

    static bool IsIndex(string mediaType) => mediaType is MediaTypes.OciIndex or MediaTypes.DockerManifestList;

    // BuildKit puts provenance attestations in indexes with platform unknown/unknown.
    static bool IsAttestation(Descriptor d) =>
        d.Annotations?.ContainsKey("vnd.docker.reference.type") == true;
}
