using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// A replica's resolver settings (docs: "DNS for Services and Pods", Pod's DNS policy). A Kubernetes pod's default
/// policy, ClusterFirst, searches its namespace's service domain first — NAMESPACE.svc.cluster.local,
/// svc.cluster.local, cluster.local, with ndots:5 — so a Service is found by its short name from its own
/// namespace and as NAME.NAMESPACE from others; the engine's DNS answers those names (services of namespace X
/// are NAME.X in the application). dnsPolicy Default and None leave the cluster domain out; dnsConfig's
/// nameservers, searches and options come after. Compose's dns and dns_search are passed as written.
/// </summary>
internal static class PodDns
{
    public const string ClusterDomain = "cluster.local";

    public static (List<string> Servers, List<string> Search, List<string> Options) Of(Service s, string ns)
    {
        var t = s.Template;
        var search = new List<string>();
        var options = new List<string>();
        if (s.Format == SourceFormat.Kubernetes && t.DnsPolicy is null or "ClusterFirstWithHostNet")
        {
            search.AddRange([$"{ns}.svc.{ClusterDomain}", $"svc.{ClusterDomain}", ClusterDomain]);
            options.Add("ndots:5");
        }
        search.AddRange(t.DnsSearch.Where(d => !search.Contains(d, StringComparer.Ordinal)));
        options.AddRange(t.DnsOptions);
        return ([.. t.Dns], search, options);
    }
}
