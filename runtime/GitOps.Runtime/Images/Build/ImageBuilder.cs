using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images.Registry;
using GitOps.Runtime.Init;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images.Build;

/// <summary>
/// docker build on this engine. The Dockerfile is parsed and checked whole first (every error, with
/// file:line); then the stages the target needs run in order. RUN runs in a real container of this
/// engine made from the current state, and its writable layer becomes the step's layer (the commit
/// machinery); COPY/ADD write into the state's root mounted as an overlay in a private mount
/// namespace and keep the upper directory as the layer; other instructions change the config.
/// Every layer step is recorded as an intermediate image keyed by (previous key, instruction,
/// inputs — file contents for COPY), so an unchanged rebuild finds each step and does no work.
/// One instance builds one Dockerfile.
/// </summary>
public sealed partial class ImageBuilder(ImageStore store, ContainerManager containers, Func<ImagePuller> puller, EnginePaths paths)
{
    sealed record Stage(int Index, string? Name, Instruction From, string BaseName, IReadOnlyList<Instruction> Body);

    sealed class State
    {
        public required ImageConfigFile Config;
        public required List<Descriptor> Layers;
        /// <summary>A stored image with exactly these layers (RUN containers start from it); null until one is needed.</summary>
        public string? ImageId;
        public required string Key;
        /// <summary>The config changed since <see cref="ImageId"/> was stored.</summary>
        public bool Dirty;
        public bool CmdSetHere;
        public Dictionary<string, string?> Args = new(StringComparer.Ordinal);
    }

    sealed class StepFailure(string message) : Exception(message);

    public async Task<ImageRecord> BuildAsync(BuildRequest request, Action<ProgressMessage> progress, CancellationToken ct)
    {
        var dockerfilePath = RootPath.Resolve(request.ContextDir, request.Dockerfile);
        if (!File.Exists(dockerfilePath))
            throw new BuildException([$"Cannot locate specified Dockerfile: {request.Dockerfile}"]);
        var name = Path.GetFileName(request.Dockerfile);
        _file = name;
        _noCache = request.NoCache;
        var file = DockerfileParser.Parse(await File.ReadAllTextAsync(dockerfilePath, ct).ConfigureAwait(false), name);
        var errors = file.Errors.ToList();

        var (metaArgs, stages) = SplitStages(file, request, errors);
        var target = stages.Count == 0 ? null
            : request.Target is { } t ? stages.FirstOrDefault(s => string.Equals(s.Name, t, StringComparison.OrdinalIgnoreCase))
            : stages[^1];
        if (request.Target is { } wanted && stages.Count > 0 && target is null)
            errors.Add($"failed to reach build target {wanted} in Dockerfile: no stage named {wanted}");
        Validate(file, stages, request, errors);
        if (errors.Count > 0) throw new BuildException(errors);

        var needed = Needed(stages, target!);
        var total = stages.Where(s => needed.Contains(s.Index)).Sum(s => s.Body.Count + 1);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var states = new Dictionary<int, State>();
        var step = 0;
        foreach (var stage in stages.Where(s => needed.Contains(s.Index)))
        {
            var state = await FromAsync(stage, stages, states, metaArgs, request, ++step, total, progress, ct).ConfigureAwait(false);
            foreach (var instruction in stage.Body)
            {
                step++;
                try
                {
                    await ExecuteAsync(instruction, state, stages, states, stage, request, used, step, total, file.Escape, progress, ct).ConfigureAwait(false);
                }
                catch (StepFailure e) { throw new BuildException([$"{name}:{instruction.Line}: {e.Message}"]); }
                catch (InvalidArgumentException e) { throw new BuildException([$"{name}:{instruction.Line}: {instruction.Keyword}: {e.Message}"]); }
                catch (StartFailedException e) { throw new BuildException([$"{name}:{instruction.Line}: {instruction.Keyword}: {e.Message}"]); }
            }
            states[stage.Index] = state;
        }

        var unused = request.BuildArgs.Keys.Where(k => !used.Contains(k) && !metaArgs.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0) progress(ProgressMessage.Text($"[Warning] One or more build-args [{string.Join(' ', unused)}] were not consumed\n"));

        var final = states[target!.Index];
        var image = Finish(final, request);
        progress(ProgressMessage.Text($"Successfully built {image.Id[7..19]}\n"));
        foreach (var tag in request.Tags) progress(ProgressMessage.Text($"Successfully tagged {tag.Familiar}\n"));
        return image;
    }

    // ---- state -------------------------------------------------------------------------------

    static string CurrentConfigKey(State state) =>
        JsonSerializer.Serialize(state.Config.Config, RuntimeJson.Default.ImageRuntimeConfig);

    bool TryCache(State state, string key, Action<ProgressMessage> progress)
    {
        if (_noCache) return false;
        if (store.FindByBuildKey(key) is not { } hit || store.TryGetConfig(hit.Id) is not { } config) return false;
        if (!config.RootFs.DiffIds.All(store.HasLayer)) return false;
        state.Config = config;
        state.Layers = [.. store.GetManifest(hit).Layers];
        state.ImageId = hit.Id;
        state.Key = key;
        state.Dirty = false;
        progress(ProgressMessage.Text($" ---> Using cache\n ---> {hit.Id[7..19]}\n"));
        return true;
    }

    bool _noCache;
    string _file = "Dockerfile";

    void AddLayer(State state, Descriptor layer, string diffId, string createdBy, string key)
    {
        var now = DateTimeOffset.UtcNow;
        state.Config = state.Config with
        {
            Created = now,
            RootFs = new RootFs("layers", [.. state.Config.RootFs.DiffIds, diffId]),
            History = [.. state.Config.History ?? [], new HistoryEntry(now, createdBy)],
        };
        state.Layers.Add(layer);
        var record = store.AddImage(state.Config, state.Layers, []);
        record = store.SetBuildOrigin(record, state.ImageId, key);
        state.ImageId = record.Id;
        state.Key = key;
        state.Dirty = false;
    }

    /// <summary>A stored image for the current layers, so a container can start from it.</summary>
    string EnsureImage(State state)
    {
        if (state.ImageId is { } id && !state.Dirty) return id;
        if (state.ImageId is { } existing && store.TryGetConfig(existing)?.RootFs.DiffIds.SequenceEqual(state.Config.RootFs.DiffIds) == true)
            return existing; // the container gets the changed config (env, user, workdir) with its create request
        var record = store.AddImage(state.Config with { Created = state.Config.Created ?? DateTimeOffset.UtcNow }, state.Layers, []);
        record = store.SetBuildOrigin(record, state.ImageId, Hash(state.Key + "\nbase"));
        state.ImageId = record.Id;
        return record.Id;
    }

    ImageRecord Finish(State state, BuildRequest request)
    {
        var labels = request.Labels.Count == 0 ? "" : string.Join(',', request.Labels.OrderBy(l => l.Key).Select(l => l.Key + "=" + l.Value));
        if (!state.Dirty && state.ImageId is { } id && labels.Length == 0)
        {
            var tagged = store.Get(id);
            foreach (var tag in request.Tags) store.Tag(id, tag);
            return tagged;
        }
        var key = Hash(state.Key + "\nfinal " + labels);
        if (!_noCache && store.FindByBuildKey(key) is { } cached && store.TryGetConfig(cached.Id) is not null)
        {
            foreach (var tag in request.Tags) store.Tag(cached.Id, tag);
            return cached;
        }
        var config = state.Config;
        if (request.Labels.Count > 0)
            config = config with { Config = config.Config with { Labels = new Dictionary<string, string>((config.Config.Labels ?? []).Concat(request.Labels).GroupBy(l => l.Key).Select(g => g.Last())) } };
        config = config with { Created = DateTimeOffset.UtcNow };
        var record = store.AddImage(config, state.Layers, request.Tags);
        return store.SetBuildOrigin(record, state.ImageId, key);
    }

    // ---- helpers -----------------------------------------------------------------------------

    static IEnumerable<(string Key, string? Value)> ParseArgs(string args)
    {
        foreach (var word in ShellWords.Split(args))
        {
            var eq = word.IndexOf('=');
            yield return eq < 0 ? (word, null) : (word[..eq], word[(eq + 1)..]);
        }
    }

    /// <summary>COPY/ADD arguments: a JSON array, or words split on whitespace.</summary>
    static List<string> SplitCopyArgs(string args) =>
        ConfigChanges.TryJsonArray(args, out var list) ? [.. list] : [.. args.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)];

    static bool IsUrl(string s) => s.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    static string Hash(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));
}
