using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images.Registry;
using GitOps.Runtime.Init;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images.Build;

/// <summary>The instruction runner: FROM, then each instruction of a stage, config changes and HEALTHCHECK parsing.</summary>
public sealed partial class ImageBuilder
{
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

}
