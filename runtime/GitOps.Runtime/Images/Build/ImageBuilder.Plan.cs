using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images.Registry;
using GitOps.Runtime.Init;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images.Build;

/// <summary>Stage planning: the Dockerfile checked whole, every error collected, and the stages the target needs.</summary>
public sealed partial class ImageBuilder
{
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

}
