using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// A Compose healthcheck as a probe, with Docker's defaults (30 s interval and timeout, 3 retries, no start
/// period, 5 s start interval). <c>disable: true</c> or <c>test: ["NONE"]</c> disables the image's check; a
/// healthcheck without <c>test</c> keeps the image's command (an exec probe with an empty command).
/// </summary>
internal static class HealthcheckMapper
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultStartInterval = TimeSpan.FromSeconds(5);
    public const int DefaultRetries = 3;

    public static Probe? Map(YNode? node, LoadContext ctx)
    {
        var r = ctx.Reader;
        var hc = r.Mapping(node);
        if (hc is null) return null;
        if (r.Bool(hc["disable"]) == true) return Disabled;

        ProbeAction action;
        switch (hc["test"])
        {
            case null or YScalar { IsNull: true }:
                action = Action(ProbeKind.Exec, []);
                break;
            case YScalar s:
                action = Action(ProbeKind.Shell, [s.Value]);
                break;
            case YSequence seq:
            {
                var words = r.StringList(seq) ?? [];
                if (words.Count == 0) { action = Action(ProbeKind.Exec, []); break; }
                switch (words[0])
                {
                    case "NONE":
                        return Disabled;
                    case "CMD":
                        action = Action(ProbeKind.Exec, words[1..]);
                        break;
                    case "CMD-SHELL":
                        if (words.Count != 2) ctx.Diagnostics.Error(seq, "CMD-SHELL takes exactly one command string", "compose.healthcheck");
                        action = Action(ProbeKind.Shell, words.Count > 1 ? [string.Join(' ', words[1..])] : []);
                        break;
                    default:
                        ctx.Diagnostics.Error(seq.Items[0], $"a healthcheck test list must start with \"CMD\", \"CMD-SHELL\" or \"NONE\", got \"{words[0]}\"", "compose.healthcheck");
                        action = Action(ProbeKind.Exec, words);
                        break;
                }
                break;
            }
            default:
                ctx.Diagnostics.Error(hc["test"]!, $"expected a string or a sequence, got {hc["test"]!.TypeName}", "manifest.type");
                action = Action(ProbeKind.Exec, []);
                break;
        }
        return new Probe(
            action,
            TimeSpan.Zero,
            r.Duration(hc["interval"]) ?? DefaultInterval,
            r.Duration(hc["timeout"]) ?? DefaultTimeout,
            1,
            r.Int(hc["retries"], 0) ?? DefaultRetries,
            r.Duration(hc["start_period"]) ?? TimeSpan.Zero,
            r.Duration(hc["start_interval"]) ?? DefaultStartInterval);
    }

    public static readonly Probe Disabled = new(Action(ProbeKind.Disabled, []), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 0, 0, TimeSpan.Zero, TimeSpan.Zero);

    private static ProbeAction Action(ProbeKind kind, List<string> command) => new(kind, [.. command], null, null, null, null, null, default, null);
}
