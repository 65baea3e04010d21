using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Loading;

/// <summary>
/// Decides whether Compose files are read as a Swarm stack. A named format wins (<c>--format</c>, an app's
/// <c>format:</c>); otherwise a file named like a stack, or one that uses what only Swarm acts on
/// (<see cref="StackSignals"/>), makes the project a stack. Both surprises are said out loud: a file read as a
/// stack because of its content, and a stack-looking file read as Compose (which Swarm behaviour it loses).
/// </summary>
internal static class StackDetection
{
    public static bool IsStack(IReadOnlyList<string> files, LoadContext ctx)
    {
        switch (ctx.Options.Format)
        {
            case ManifestFormat.Stack: return true;
            case ManifestFormat.Compose:
                foreach (var file in files)
                    if (Signals(file, ctx) is { Count: > 0 } signals) WarnLoadedAsCompose(file, signals, ctx);
                return false;
        }
        if (files.Any(ManifestDiscovery.IsStackFile)) return true;
        foreach (var file in files)
        {
            if (Signals(file, ctx) is not { Count: > 0 } signals) continue;
            ctx.Diagnostics.Warning(signals[0].Node,
                $"read as a Swarm stack because it uses {StackSignals.Describe(signals)}: Swarm's defaults apply (a task restarts on any exit, " +
                "updates roll out one replica at a time, published ports go through the routing mesh); name the format to read it as Compose " +
                "(--format compose, or format: compose in the application)", "discovery.stack");
            return true;
        }
        return false;
    }

    private static List<StackSignal>? Signals(string file, LoadContext ctx)
    {
        var docs = ctx.Files.Read(file, SourceMark.None, "");
        return docs?.Select(d => d.Root).OfType<YMapping>().SelectMany(StackSignals.Find).ToList();
    }

    /// <summary>What a stack loses when it is run as a Compose project, said for the parts this file has.</summary>
    private static void WarnLoadedAsCompose(string file, List<StackSignal> signals, LoadContext ctx)
    {
        var services = ctx.Files.Read(file, SourceMark.None, "")!.Select(d => d.Root).OfType<YMapping>()
            .SelectMany(r => (r["services"] as YMapping)?.Entries ?? []).Select(e => e.Value).OfType<YMapping>().ToList();
        static YMapping? Deploy(YMapping s) => s["deploy"] as YMapping;
        var losses = new List<string>();
        if (services.Any(s => s["restart"] is null && Deploy(s)?["restart_policy"] is null))
            losses.Add("containers are not restarted when they exit (Swarm's restart policy restarts a task on any exit; Compose's restart defaults to \"no\")");
        if (services.Any(s => Deploy(s)?["update_config"] is null))
            losses.Add("services without update_config are recreated, all replicas stopped before new ones start (Swarm rolls an update out one replica at a time)");
        if (services.Any(s => s["ports"] is not null))
            losses.Add("published ports bind on each container instead of the routing mesh in front of all replicas (one fixed host port allows one replica)");
        if (losses.Count == 0) losses.Add("Compose's defaults apply wherever it leaves a deploy setting out");
        ctx.Diagnostics.Warning(signals[0].Node,
            $"this file looks like a Swarm stack ({StackSignals.Describe(signals)}) but is read as Compose, so it loses Swarm's behaviour: {string.Join("; ", losses)}",
            "compose.stack-features");
    }
}
