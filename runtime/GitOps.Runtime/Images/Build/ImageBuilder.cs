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
public sealed class ImageBuilder(ImageStore store, ContainerManager containers, Func<ImagePuller> puller, EnginePaths paths)
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

    // ---- plan --------------------------------------------------------------------------------

    (Dictionary<string, string?> MetaArgs, List<Stage> Stages) SplitStages(Dockerfile file, BuildRequest request, List<string> errors)
    {
        var meta = new Dictionary<string, string?>(StringComparer.Ordinal);
        var stages = new List<Stage>();
        Instruction? from = null;
        string? stageName = null, baseName = null;
        var body = new List<Instruction>();
        foreach (var ins in file.Instructions)
        {
            if (ins.Keyword == "FROM")
            {
                if (from is not null) stages.Add(new Stage(stages.Count, stageName, from, baseName!, body));
                from = ins;
                body = [];
                var words = ins.Args.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                baseName = Expander.Expand(words[0], k => meta.GetValueOrDefault(k), file.Escape);
                stageName = null;
                if (words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase)) stageName = words[2].ToLowerInvariant();
                else if (words.Length != 1) errors.Add($"{file.Name}:{ins.Line}: FROM requires either one or three arguments: FROM <image> [AS <name>]");
                if (stageName is not null && stages.Any(s => s.Name == stageName))
                    errors.Add($"{file.Name}:{ins.Line}: duplicate stage name \"{stageName}\"");
                if (baseName.Length == 0) errors.Add($"{file.Name}:{ins.Line}: FROM: base name ({words[0]}) should not be blank");
                continue;
            }
            if (from is null)
            {
                if (ins.Keyword == "ARG")
                {
                    foreach (var (k, v) in ParseArgs(ins.Args))
                        meta[k] = request.BuildArgs.TryGetValue(k, out var given) && given is not null ? given : v;
                    continue;
                }
                errors.Add($"{file.Name}:{ins.Line}: {ins.Keyword} before the first FROM: a Dockerfile must start with FROM (ARG may come before it)");
                continue;
            }
            body.Add(ins);
        }
        if (from is not null) stages.Add(new Stage(stages.Count, stageName, from, baseName!, body));
        else if (file.Instructions.Count > 0 && errors.Count == 0) errors.Add($"{file.Name}:1: no FROM instruction: nothing to build");
        return (meta, stages);
    }

    /// <summary>Checks everything that can be checked before running anything: stage references, COPY sources, forms.</summary>
    void Validate(Dockerfile file, List<Stage> stages, BuildRequest request, List<string> errors)
    {
        foreach (var stage in stages)
        {
            foreach (var ins in stage.Body)
            {
                string Where() => $"{file.Name}:{ins.Line}";
                switch (ins.Keyword)
                {
                    case "COPY" or "ADD":
                        var parts = SplitCopyArgs(ins.Args);
                        if (parts.Count < 2) { errors.Add($"{Where()}: {ins.Keyword} requires at least two arguments: source and destination"); break; }
                        if (ins.Flags.TryGetValue("from", out var fromRef))
                        {
                            if (ins.Keyword == "ADD") { errors.Add($"{Where()}: ADD does not take --from"); break; }
                            var refStage = FindStage(stages, fromRef);
                            if (refStage is not null && refStage.Index >= stage.Index)
                                errors.Add($"{Where()}: COPY --from={fromRef}: stage \"{fromRef}\" is not defined before this one");
                            else if (refStage is null && !fromRef.Contains('$') && (int.TryParse(fromRef, out _) || store.Find(fromRef) is null))
                                errors.Add($"{Where()}: COPY --from={fromRef}: no stage or image named \"{fromRef}\"");
                            break;
                        }
                        var sources = parts.Take(parts.Count - 1).ToList();
                        if (sources.Count > 1 && !parts[^1].EndsWith('/'))
                            errors.Add($"{Where()}: When using {ins.Keyword} with more than one source file, the destination must be a directory and end with a /");
                        foreach (var src in sources)
                        {
                            if (ins.Keyword == "ADD" && IsUrl(src)) continue;
                            if (src.Contains('$')) continue; // known only when the step runs
                            if (!RootPath.StaysInside(src.TrimStart('/')))
                                errors.Add($"{Where()}: {ins.Keyword} failed: forbidden path outside the build context: {src}");
                            else if (CopyStep.Match(request.ContextDir, src).Count == 0)
                                errors.Add($"{Where()}: {ins.Keyword} failed: file not found in build context or excluded by .dockerignore: stat {src}: file does not exist");
                        }
                        break;
                    case "SHELL":
                        if (!ConfigChanges.TryJsonArray(ins.Args, out var shell) || shell.Count == 0)
                            errors.Add($"{Where()}: SHELL requires the arguments to be in JSON form: SHELL [\"executable\", \"parameters\"]");
                        break;
                    case "HEALTHCHECK":
                        var words = ins.Args.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
                        if (!words[0].Equals("NONE", StringComparison.OrdinalIgnoreCase) && !words[0].Equals("CMD", StringComparison.OrdinalIgnoreCase))
                            errors.Add($"{Where()}: HEALTHCHECK: unknown type \"{words[0]}\": expected CMD or NONE");
                        break;
                    case "ONBUILD":
                        var trigger = ins.Args.Split(' ', 2)[0].ToUpperInvariant();
                        if (trigger is "ONBUILD" or "FROM" or "MAINTAINER")
                            errors.Add($"{Where()}: {trigger} isn't allowed as an ONBUILD trigger");
                        else if (!DockerfileParser.Keywords.Contains(trigger))
                            errors.Add($"{Where()}: ONBUILD: unknown instruction: {trigger}");
                        break;
                }
            }
        }
    }

    static Stage? FindStage(List<Stage> stages, string reference) =>
        int.TryParse(reference, out var index) ? stages.ElementAtOrDefault(index)
        : stages.FirstOrDefault(s => string.Equals(s.Name, reference, StringComparison.OrdinalIgnoreCase));

    /// <summary>The target and the stages it depends on (FROM a stage, COPY --from a stage).</summary>
    static HashSet<int> Needed(List<Stage> stages, Stage target)
    {
        var needed = new HashSet<int>();
        var queue = new Queue<Stage>([target]);
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            if (!needed.Add(s.Index)) continue;
            if (FindStage(stages, s.BaseName) is { } b && b.Index < s.Index) queue.Enqueue(b);
            foreach (var ins in s.Body)
                if (ins.Flags.TryGetValue("from", out var f) && FindStage(stages, f) is { } dep && dep.Index < s.Index) queue.Enqueue(dep);
        }
        return needed;
    }

    // ---- steps -------------------------------------------------------------------------------

    async Task<State> FromAsync(Stage stage, List<Stage> stages, Dictionary<int, State> states, Dictionary<string, string?> meta,
        BuildRequest request, int step, int total, Action<ProgressMessage> progress, CancellationToken ct)
    {
        progress(ProgressMessage.Text($"Step {step}/{total} : FROM {stage.From.Args}\n"));
        State state;
        if (stage.BaseName.Equals("scratch", StringComparison.OrdinalIgnoreCase))
        {
            state = new State
            {
                Config = new ImageConfigFile { Architecture = ConfigChanges.HostArchitecture, Os = "linux", Config = new ImageRuntimeConfig(), RootFs = new RootFs("layers", []), History = [] },
                Layers = [],
                Key = Hash("FROM scratch"),
            };
            progress(ProgressMessage.Text(" ---> (scratch)\n"));
        }
        else if (FindStage(stages, stage.BaseName) is { } prior && prior.Index < stage.Index && states.TryGetValue(prior.Index, out var from))
        {
            state = new State
            {
                Config = from.Config, Layers = [.. from.Layers], ImageId = from.ImageId, Key = Hash(from.Key + "\nFROM stage"), Dirty = from.Dirty,
            };
            progress(ProgressMessage.Text($" ---> {(from.ImageId is { } id ? id[7..19] : "stage " + prior.Name)}\n"));
        }
        else
        {
            var image = request.Pull ? null : store.Find(stage.BaseName);
            if (image is null)
            {
                var reference = ImageReference.Parse(stage.BaseName);
                try { image = await puller().PullAsync(reference, null, progress, ct).ConfigureAwait(false); }
                catch (EngineException e) when (e is not BuildException)
                {
                    throw new BuildException([$"{_file}:{stage.From.Line}: FROM {stage.BaseName}: {e.Message}"]);
                }
            }
            var config = store.GetConfig(image.Id);
            state = new State
            {
                Config = config, Layers = [.. store.GetManifest(image).Layers], ImageId = image.Id, Key = Hash("FROM " + image.Id),
            };
            progress(ProgressMessage.Text($" ---> {image.Id[7..19]}\n"));
        }
        // ONBUILD triggers belong to images built FROM this one; they are not inherited further.
        if (state.Config.Config.OnBuild is { Count: > 0 })
        {
            state.Config = state.Config with { Config = state.Config.Config with { OnBuild = null } };
            state.Dirty = true;
        }
        return state;
    }

    async Task ExecuteAsync(Instruction ins, State state, List<Stage> stages, Dictionary<int, State> states, Stage stage, BuildRequest request,
        HashSet<string> usedArgs, int step, int total, char escape, Action<ProgressMessage> progress, CancellationToken ct)
    {
        string? Lookup(string key)
        {
            foreach (var e in state.Config.Config.Env ?? [])
                if (e.StartsWith(key + "=", StringComparison.Ordinal)) return e[(key.Length + 1)..];
            return state.Args.TryGetValue(key, out var v) ? v : null;
        }
        string Expand(string s) => Expander.Expand(s, Lookup, escape);

        var shown = ins.Keyword is "RUN" or "CMD" or "ENTRYPOINT" or "SHELL" or "HEALTHCHECK" or "ONBUILD" ? ins.Text : ins.Keyword + " " + string.Join(' ', ins.Flags.Select(f => $"--{f.Key}={f.Value}").Append(ins.Args)).Trim();
        progress(ProgressMessage.Text($"Step {step}/{total} : {shown}\n"));
        var rc = state.Config.Config;
        switch (ins.Keyword)
        {
            case "RUN":
                await RunAsync(ins, state, request, usedArgs, progress, ct).ConfigureAwait(false);
                return;
            case "COPY" or "ADD":
                await CopyAsync(ins, state, stages, states, stage, request, Expand, progress, ct).ConfigureAwait(false);
                return;
            case "ARG":
                foreach (var (k, v) in ParseArgs(ins.Args))
                {
                    // A stage's ARG takes the build-arg, or its own default, or the global ARG's value.
                    string? value = request.BuildArgs.TryGetValue(k, out var given) && given is not null ? given : v is null ? null : Expand(v);
                    if (request.BuildArgs.ContainsKey(k)) usedArgs.Add(k);
                    state.Args[k] = value;
                }
                Configure(state, ins, rc, "ARG " + ins.Args);
                return;
            case "ENV":
                Configure(state, ins, ConfigChanges.Apply(rc, "ENV", Expand(ins.Args)));
                return;
            case "LABEL":
                Configure(state, ins, ConfigChanges.Apply(rc, "LABEL", Expand(ins.Args)));
                return;
            case "EXPOSE":
                Configure(state, ins, ConfigChanges.Apply(rc, "EXPOSE", Expand(ins.Args)));
                return;
            case "VOLUME":
                Configure(state, ins, ConfigChanges.Apply(rc, "VOLUME", Expand(ins.Args)));
                return;
            case "USER":
                Configure(state, ins, ConfigChanges.Apply(rc, "USER", Expand(ins.Args)));
                return;
            case "WORKDIR":
                Configure(state, ins, ConfigChanges.Apply(rc, "WORKDIR", Expand(ins.Args)));
                return;
            case "STOPSIGNAL":
                var signal = Expand(ins.Args);
                try { Containers.Signals.Parse(signal); }
                catch (InvalidArgumentException) { throw new StepFailure($"STOPSIGNAL: invalid signal \"{signal}\""); }
                Configure(state, ins, ConfigChanges.Apply(rc, "STOPSIGNAL", signal));
                return;
            case "CMD":
                state.CmdSetHere = true;
                Configure(state, ins, rc with { Cmd = ConfigChanges.CommandForm(ins.Args, rc.Shell), ArgsEscaped = null });
                return;
            case "ENTRYPOINT":
                // Docker: an ENTRYPOINT resets a CMD inherited from the base image.
                var entry = rc with { Entrypoint = ins.Args.Length == 0 ? null : ConfigChanges.CommandForm(ins.Args, rc.Shell) };
                if (!state.CmdSetHere) entry = entry with { Cmd = null };
                Configure(state, ins, entry);
                return;
            case "SHELL":
                ConfigChanges.TryJsonArray(ins.Args, out var shell);
                Configure(state, ins, rc with { Shell = shell });
                return;
            case "HEALTHCHECK":
                Configure(state, ins, rc with { Healthcheck = ParseHealthcheck(ins, rc.Shell) });
                return;
            case "MAINTAINER":
                state.Config = state.Config with { Author = Expand(ins.Args) };
                Configure(state, ins, rc);
                return;
            case "ONBUILD":
                var trigger = ins.Args.Trim();
                var sp = trigger.IndexOf(' ');
                var normalized = sp < 0 ? trigger.ToUpperInvariant() : trigger[..sp].ToUpperInvariant() + trigger[sp..];
                Configure(state, ins, rc with { OnBuild = [.. rc.OnBuild ?? [], normalized] });
                return;
            default:
                throw new StepFailure($"unknown instruction: {ins.Keyword}");
        }
    }

    /// <summary>A config-only step: no layer, a history entry, and the cache key moves on.</summary>
    void Configure(State state, Instruction ins, ImageRuntimeConfig config, string? createdBy = null)
    {
        state.Config = state.Config with
        {
            Config = config,
            History = [.. state.Config.History ?? [], new HistoryEntry(DateTimeOffset.UtcNow, $"/bin/sh -c #(nop)  {createdBy ?? ins.Text}", EmptyLayer: true)],
        };
        state.Key = Hash(state.Key + "\n" + ins.Keyword + " " + JsonSerializer.Serialize(config, RuntimeJson.Default.ImageRuntimeConfig) + " " + state.Config.Author);
        state.Dirty = true;
    }

    static HealthConfig ParseHealthcheck(Instruction ins, IReadOnlyList<string>? shell)
    {
        var words = ins.Args.Split([' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
        if (words[0].Equals("NONE", StringComparison.OrdinalIgnoreCase)) return new HealthConfig(["NONE"]);
        if (words.Length < 2) throw new StepFailure("HEALTHCHECK CMD requires a command");
        var cmd = ConfigChanges.TryJsonArray(words[1], out var exec) ? ["CMD", .. exec] : new List<string> { "CMD-SHELL", words[1] };
        long Duration(string flag)
        {
            if (!ins.Flags.TryGetValue(flag, out var v)) return 0;
            return TryDuration(v, out var d) ? d : throw new StepFailure($"HEALTHCHECK --{flag}: invalid duration \"{v}\"");
        }
        var retries = ins.Flags.TryGetValue("retries", out var r) ? int.TryParse(r, out var n) && n >= 0 ? n : throw new StepFailure($"HEALTHCHECK --retries: invalid number \"{r}\"") : 0;
        return new HealthConfig(cmd, Duration("interval"), Duration("timeout"), Duration("start-period"), Duration("start-interval"), retries);
    }

    /// <summary>Go durations as Docker takes them (300ms, 30s, 1m30s), in nanoseconds.</summary>
    static bool TryDuration(string s, out long nanos)
    {
        nanos = 0;
        var m = System.Text.RegularExpressions.Regex.Matches(s, @"(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)");
        if (m.Count == 0 || string.Concat(m.Select(x => x.Value)) != s) return false;
        foreach (System.Text.RegularExpressions.Match x in m)
        {
            var v = double.Parse(x.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            nanos += (long)(v * x.Groups[2].Value switch { "ns" => 1, "us" => 1e3, "ms" => 1e6, "s" => 1e9, "m" => 60e9, _ => 3600e9 });
        }
        return true;
    }

    async Task RunAsync(Instruction ins, State state, BuildRequest request, HashSet<string> usedArgs, Action<ProgressMessage> progress, CancellationToken ct)
    {
        var rc = state.Config.Config;
        if (ins.Args.Length == 0) throw new StepFailure("RUN requires a command");
        IReadOnlyList<string> command = ConfigChanges.TryJsonArray(ins.Args, out var exec) ? exec : [.. rc.Shell ?? ["/bin/sh", "-c"], ins.Args];
        if (command.Count == 0) throw new StepFailure("RUN requires a command");
        var envNames = (rc.Env ?? []).Select(e => e.Split('=', 2)[0]).ToHashSet(StringComparer.Ordinal);
        // ARGs reach RUN as environment variables (not kept in the image); they are part of the step's identity.
        var argEnv = state.Args.Where(a => a.Value is not null && !envNames.Contains(a.Key)).OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => $"{a.Key}={a.Value}").ToList();
        foreach (var a in state.Args.Keys) if (request.BuildArgs.ContainsKey(a)) usedArgs.Add(a);
        var createdBy = (argEnv.Count > 0 ? $"|{argEnv.Count} {string.Join(' ', argEnv)} " : "") + string.Join(' ', command);
        var key = Hash(state.Key + "\nRUN " + JsonSerializer.Serialize(command.ToList(), RuntimeJson.Default.ListString) + "\n" + string.Join('\n', argEnv) + "\n" + CurrentConfigKey(state));
        if (TryCache(state, key, progress)) return;

        var baseId = EnsureImage(state);
        var container = containers.Create(new CreateRequest
        {
            Image = baseId,
            Cmd = command,
            Entrypoint = [""],
            Env = [.. rc.Env ?? [], .. argEnv],
            WorkingDir = rc.WorkingDir,
            User = rc.User,
            Labels = new Dictionary<string, string> { ["gitops.build"] = "true" },
            HostConfig = new HostConfig { NetworkMode = request.Network },
            // A RUN step is not a service: the base image's HEALTHCHECK must not probe it. The image
            // being built takes its HEALTHCHECK from the build state, not from this container.
            Healthcheck = new HealthConfig(["NONE"]),
        });
        progress(ProgressMessage.Text($" ---> Running in {container.Id[..12]}\n"));
        try
        {
            using var output = containers.OutputOf(container.Id).Attach();
            await containers.StartAsync(container.Id, ct).ConfigureAwait(false);
            var decoder = Encoding.UTF8.GetDecoder();
            await foreach (var (_, data) in output.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                var chars = new char[decoder.GetCharCount(data, false)];
                decoder.GetChars(data, chars, false);
                if (chars.Length > 0) progress(ProgressMessage.Text(new string(chars)));
            }
            var exit = await containers.WaitAsync(container.Id, "not-running", ct).ConfigureAwait(false);
            if (exit != 0) throw new StepFailure($"The command '{string.Join(' ', command)}' returned a non-zero code: {exit}");
            var (layer, diffId) = await containers.PackWritableLayerAsync(container.Id, ct).ConfigureAwait(false);
            AddLayer(state, layer, diffId, createdBy, key);
        }
        finally
        {
            try { await containers.RemoveAsync(container.Id, force: true, CancellationToken.None).ConfigureAwait(false); }
            catch (NotFoundException) { }
        }
        progress(ProgressMessage.Text($" ---> {state.ImageId![7..19]}\n"));
    }

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
