using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Policy;

/// <summary>
/// The CPU and memory an application may claim in total, as a Kubernetes ResourceQuota on limits: when the policy
/// caps a resource, every container must declare a limit for it, and the limits of all replicas together (a pod
/// counts its containers, or its largest init container if that is more, as the scheduler does) must fit.
/// </summary>
internal static class ResourceTotals
{
    /// <summary>
    /// A pod's effective amount as Kubernetes computes it with native sidecars (KEP-753, "Resource sharing within
    /// containers"): the app containers plus every sidecar, or, if more, the peak of the start sequence, where an
    /// init container runs beside the sidecars declared before it.
    /// </summary>
    public static long PerReplica(PodTemplate t, Func<Container, long?> limit)
    {
        long sidecars = 0, peak = 0;
        foreach (var c in t.InitContainers)
        {
            var amount = limit(c) ?? 0;
            peak = Math.Max(peak, sidecars + amount);
            if (c.Sidecar) sidecars += amount;
        }
        return Math.Max(t.Containers.Sum(c => limit(c) ?? 0) + sidecars, peak);
    }

    public static void Check(IEnumerable<Service> services, SecurityPolicy policy, LoadContext ctx)
    {
        if (policy.MaxCpuNano is { } cpu) Total(services, policy, ctx, "cpu", cpu, c => c.Resources.CpuLimit, PolicyText.Cpus);
        if (policy.MaxMemoryBytes is { } memory) Total(services, policy, ctx, "memory", memory, c => c.Resources.MemoryLimit, PolicyText.Bytes);
    }

    static void Total(IEnumerable<Service> services, SecurityPolicy policy, LoadContext ctx, string resource, long allowance,
        Func<Container, long?> limit, Func<long, string> format)
    {
        var parts = new List<(Service Service, int Replicas, long PerReplica)>();
        var complete = true;
        foreach (var s in services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var at = new PolicyChecker.Locator(s.Name, ctx.Sources);
            foreach (var c in s.Template.Containers.Concat(s.Template.InitContainers).Where(c => limit(c) is null))
            {
                complete = false;
                PolicyChecker.Error(ctx, policy, at.Of(c.Name, "resources." + resource),
                    $"container {c.Name} of {s.Name} declares no {resource} limit; one is required because the application may claim {format(allowance)} of {resource} in total", "resources");
            }
            var replicas = s.Replication.Mode == ReplicationMode.Global ? 1 : s.Replication.Replicas;
            parts.Add((s, replicas, PerReplica(s.Template, limit)));
        }
        if (!complete) return;
        var total = parts.Sum(p => p.Replicas * p.PerReplica);
        if (total <= allowance) return;
        var largest = parts.OrderByDescending(p => p.Replicas * p.PerReplica).First();
        var breakdown = string.Join(", ", parts.Where(p => p.Replicas * p.PerReplica > 0).Select(p => p.Replicas == 1 ? $"{p.Service.Name} {format(p.PerReplica)}" : $"{p.Service.Name} {p.Replicas}×{format(p.PerReplica)}"));
        var container = largest.Service.Template.Containers.OrderByDescending(c => limit(c) ?? 0).First();
        PolicyChecker.Error(ctx, policy, new PolicyChecker.Locator(largest.Service.Name, ctx.Sources).Of(container.Name, "resources." + resource),
            $"{resource} limits total {format(total)} ({breakdown}), more than the {format(allowance)} the application may claim", "resources");
    }
}
