using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>
/// Kubernetes' taint manager: a task on a node with NoExecute taints is evicted at once if one of them is not
/// tolerated; otherwise after the smallest tolerationSeconds among the tolerations used (the first that matches
/// each taint; zero or less means at once); never if none of them has a limit.
/// </summary>
internal static class NoExecute
{
    public readonly record struct Verdict(bool Evict, TimeSpan Delay, Taint? Cause);

    public static Verdict Decide(IEnumerable<Taint> taints, IReadOnlyList<Toleration> tolerations)
    {
        long? min = null;
        Taint? cause = null;
        foreach (var taint in taints)
        {
            if (taint.Effect != TaintEffect.NoExecute) continue;
            Toleration? used = null;
            foreach (var t in tolerations)
                if (t.Tolerates(taint)) { used = t; break; }
            if (used is null) return new Verdict(true, TimeSpan.Zero, taint);
            if (used.Seconds is { } s && (min is null || s < min))
            {
                min = s;
                cause = taint;
            }
        }
        return min is { } m ? new Verdict(true, TimeSpan.FromSeconds(Math.Max(0, m)), cause) : new Verdict(false, TimeSpan.Zero, null);
    }
}
