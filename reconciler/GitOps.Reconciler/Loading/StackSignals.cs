using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Loading;

/// <summary>One thing in a Compose file that only Swarm acts on, and where it is written.</summary>
internal sealed record StackSignal(YNode Node, string What);

/// <summary>
/// Recognises a Swarm stack by what it says rather than by its file name: <c>deploy.mode: global</c>,
/// <c>placement</c>, <c>update_config</c>, <c>rollback_config</c>, <c>endpoint_mode: dnsrr</c> and overlay networks
/// mean nothing to <c>docker compose up</c> and everything to <c>docker stack deploy</c>. Read from the file as
/// written (before interpolation): a value that comes from a variable is not taken as a signal.
/// </summary>
internal static class StackSignals
{
    private static readonly string[] DeployKeys = ["placement", "update_config", "rollback_config"];

    public static IReadOnlyList<StackSignal> Find(YMapping root)
    {
        var found = new List<StackSignal>();
        if (root["services"] is YMapping services)
            foreach (var service in services.Entries)
            {
                if ((service.Value as YMapping)?["deploy"] is not YMapping deploy) continue;
                if (deploy["mode"] is YScalar { Value: "global" or "global-job" } mode)
                    found.Add(new StackSignal(mode, $"deploy.mode: {mode.Value} (service {service.Key.Value})"));
                // Written-out defaults (endpoint_mode: vip, an empty placement) say nothing about where the file is meant to run.
                foreach (var key in DeployKeys)
                    if (deploy.Entry(key) is { } e && e.Value is not (YScalar { IsNull: true } or YMapping { Count: 0 }))
                        found.Add(new StackSignal(e.Key, $"deploy.{key} (service {service.Key.Value})"));
                if (deploy["endpoint_mode"] is YScalar { Value: "dnsrr" } endpoint)
                    found.Add(new StackSignal(endpoint, $"deploy.endpoint_mode: dnsrr (service {service.Key.Value})"));
            }
        if (root["networks"] is YMapping networks)
            foreach (var network in networks.Entries)
                if ((network.Value as YMapping)?["driver"] is YScalar { Value: "overlay" } driver)
                    found.Add(new StackSignal(driver, $"driver: overlay (network {network.Key.Value})"));
        return found;
    }

    /// <summary>The signals as a reader wants them: "deploy.placement (service web) at line 12, …".</summary>
    public static string Describe(IEnumerable<StackSignal> signals, int max = 3)
    {
        var list = signals.ToList();
        var shown = list.Take(max).Select(s => $"{s.What} at line {s.Node.Mark.Line}");
        return string.Join(", ", shown) + (list.Count > max ? $" and {list.Count - max} more" : "");
    }
}
