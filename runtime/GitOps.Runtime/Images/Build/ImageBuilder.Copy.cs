using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images.Registry;
using GitOps.Runtime.Init;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images.Build;

/// <summary>COPY and ADD: the step's cache key from file contents, then <see cref="CopyStep"/> into the mounted root.</summary>
public sealed partial class ImageBuilder
{
    async Task CopyAsync(Instruction ins, State state, List<Stage> stages, Dictionary<int, State> states, Stage stage, BuildRequest request,
        Func<string, string> expand, Action<ProgressMessage> progress, CancellationToken ct)
    {
        var isAdd = ins.Keyword == "ADD";
        var parts = SplitCopyArgs(ins.Args).Select(expand).ToList();
        var dest = parts[^1];
        var sources = parts.Take(parts.Count - 1).ToList();
        var chown = ins.Flags.TryGetValue("chown", out var c) ? expand(c) : null;
        uint? mode = null;
        if (ins.Flags.TryGetValue("chmod", out var m))
        {
            try { mode = Convert.ToUInt32(m, 8) & 0xFFF; }
            catch (FormatException) { throw new StepFailure($"{ins.Keyword} --chmod={m}: expected an octal mode such as 755"); }
        }

        string sourceRoot = request.ContextDir;
        List<string>? sourceLayers = null;
        string inputs;
        var fromContext = true;
        if (ins.Flags.TryGetValue("from", out var fromRef))
        {
            fromContext = false;
            fromRef = expand(fromRef);
            if (FindStage(stages, fromRef) is { } s && states.TryGetValue(s.Index, out var other))
            {
                sourceLayers = other.Layers.Select((l, i) => other.Config.RootFs.DiffIds[i]).Select(store.LayerDir).ToList();
                inputs = "stage " + other.Key;
            }
            else
            {
                var image = store.Find(fromRef) ?? await puller().PullAsync(ImageReference.Parse(fromRef), null, progress, ct).ConfigureAwait(false);
                sourceLayers = store.GetConfig(image.Id).RootFs.DiffIds.Select(store.LayerDir).ToList();
                inputs = "image " + image.Id;
            }
            inputs += "\n" + string.Join('\n', sources);
        }
        else
        {
            foreach (var src in sources.Where(s => !(isAdd && IsUrl(s))))
                if (!RootPath.StaysInside(src.TrimStart('/')))
                    throw new StepFailure($"{ins.Keyword} failed: forbidden path outside the build context: {src}");
            inputs = CopyStep.HashSources(request.ContextDir, sources.Where(s => !(isAdd && IsUrl(s))));
        }

        var tmp = Path.Combine(paths.Tmp, "build-copy-" + Ids.New()[..16]);
        Directory.CreateDirectory(tmp);
        try
        {
            (string File, string Name)? download = null;
            if (isAdd && sources.Any(IsUrl))
            {
                if (sources.Count != 1) throw new StepFailure("ADD of a URL takes exactly one source");
                download = await DownloadAsync(sources[0], tmp, ct).ConfigureAwait(false);
                inputs = "url " + sources[0] + " " + CopyStep.HashSources(tmp, ["download"]);
            }
            var key = Hash(state.Key + "\n" + ins.Keyword + " " + string.Join(' ', ins.Flags.OrderBy(f => f.Key).Select(f => f.Key + "=" + f.Value)) +
                           " -> " + dest + "\n" + inputs + "\n" + CurrentConfigKey(state));
            if (TryCache(state, key, progress)) return;

            var merged = Path.Combine(tmp, "merged");
            var upper = Path.Combine(tmp, "upper");
            var empty = Path.Combine(tmp, "empty");
            Directory.CreateDirectory(empty);
            var lowers = state.Config.RootFs.DiffIds.Select(store.LayerDir).Reverse().ToList();
            var overlays = new List<MountedRoots.Overlay> { new(merged, lowers.Count > 0 ? lowers : [empty], upper, Path.Combine(tmp, "work")) };
            if (sourceLayers is not null)
            {
                sourceRoot = Path.Combine(tmp, "source");
                overlays.Add(new(sourceRoot, sourceLayers.Count > 0 ? Enumerable.Reverse(sourceLayers).ToList() : [empty],
                    Path.Combine(tmp, "source-upper"), Path.Combine(tmp, "source-work")));
            }
            MountedRoots.Run(overlays, () =>
            {
                new CopyStep
                {
                    SourceRoot = sourceRoot,
                    SourceIsContext = fromContext,
                    TargetRoot = merged,
                    Sources = sources,
                    Destination = dest,
                    WorkingDir = state.Config.Config.WorkingDir ?? "/",
                    Owner = chown is null ? null : ResolveOwner(chown, merged),
                    Mode = mode,
                    IsAdd = isAdd,
                    Download = download,
                }.Run();
                return 0;
            });
            var (layer, diffId) = await store.AddLayerFromDirectoryAsync(upper, overlayUpper: true, ct).ConfigureAwait(false);
            var createdBy = $"/bin/sh -c #(nop) {ins.Keyword} {(fromContext ? "dir:" + inputs[..Math.Min(12, inputs.Length)] : string.Join(' ', sources))} in {dest} ";
            AddLayer(state, layer, diffId, createdBy, key);
            progress(ProgressMessage.Text($" ---> {state.ImageId![7..19]}\n"));
        }
        finally { ImageStore.DeleteTree(tmp); }
    }

    static (uint, uint) ResolveOwner(string spec, string root)
    {
        var parts = spec.Split(':', 2);
        if (uint.TryParse(parts[0], out var uid) && (parts.Length == 1 || uint.TryParse(parts[1], out _)))
            return (uid, parts.Length == 1 ? uid : uint.Parse(parts[1]));
        try
        {
            var user = UserResolver.Resolve(spec, Path.Combine(root, "etc/passwd"), Path.Combine(root, "etc/group"));
            return (user.Uid, user.Gid);
        }
        catch (InitException e) { throw new StepFailure($"--chown={spec}: {e.Message}"); }
    }

    static async Task<(string File, string Name)> DownloadAsync(string url, string dir, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var file = Path.Combine(dir, "download");
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new StepFailure($"ADD {url}: {(int)response.StatusCode} {response.ReasonPhrase}");
            await using var output = File.Create(file);
            await response.Content.CopyToAsync(output, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e) { throw new StepFailure($"ADD {url}: {e.Message}"); }
        var name = Path.GetFileName(new Uri(url).AbsolutePath.TrimEnd('/'));
        return (file, name.Length == 0 ? "index.html" : name);
    }

}
