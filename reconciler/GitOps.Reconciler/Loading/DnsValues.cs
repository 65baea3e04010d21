using System.Net;
using GitOps.Reconciler.Yaml;
using GitOps.Runtime.Networking;

namespace GitOps.Reconciler.Loading;

/// <summary>
/// Resolver settings checked where they are written (Compose dns/dns_search/dns_opt, a pod's dnsConfig): each one
/// becomes a resolv.conf line, so a value the engine would refuse fails the load at its line, not the sync.
/// </summary>
internal static class DnsValues
{
    public static void Nameservers(YNode? node, LoadContext ctx, string code) =>
        Each(node, ctx, v => IPAddress.TryParse(v, out _) && !v.Any(char.IsWhiteSpace), "an IP address", code);

    public static void Searches(YNode? node, LoadContext ctx, string code) =>
        Each(node, ctx, ResolvConfSyntax.IsSearchDomain, "a domain name", code);

    public static void Options(YNode? node, LoadContext ctx, string code) =>
        Each(node, ctx, ResolvConfSyntax.IsOption, "a resolver option (one word, such as ndots:5)", code);

    static void Each(YNode? node, LoadContext ctx, Func<string, bool> valid, string expected, string code)
    {
        IReadOnlyList<YNode> items = node switch
        {
            YScalar { IsNull: false } s => [s],
            YSequence seq => seq.Items,
            _ => [],
        };
        foreach (var item in items)
            if (item is YScalar { IsNull: false } s && !valid(s.Value))
                ctx.Diagnostics.Error(item, $"expected {expected}, got \"{s.Value}\"", code);
    }
}
