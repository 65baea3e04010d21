namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// The versions one tick works with, as observed: the new one (always present, possibly with no replicas yet), the
/// stable one when it differs, and older ones that still have replicas. <see cref="CanaryInFlight"/>: a stable version
/// exists and is not the one being rolled out.
/// </summary>
internal sealed record Versions(ReplicaSetView New, ReplicaSetView? Stable, IReadOnlyList<ReplicaSetView> Others, bool CanaryInFlight)
{
    public IEnumerable<ReplicaSetView> All => Stable is null ? [New, .. Others] : [New, Stable, .. Others];

    public static Versions Of(RolloutContext c)
    {
        var stableVersion = c.Prev.StableVersion;
        var newRs = View(c, c.NewVersion);
        var stable = stableVersion is not null && stableVersion != c.NewVersion ? View(c, stableVersion) : null;
        var others = c.Input.Observed.Versions
            .Where(o => o.Version != c.NewVersion && o.Version != stableVersion && (o.Replicas > 0 || o.Available > 0))
            .Select(ReplicaSetView.Of).ToList();
        return new Versions(newRs, stable, others, stable is not null);
    }

    private static ReplicaSetView View(RolloutContext c, string version) =>
        c.Observed(version) is { } o ? ReplicaSetView.Of(o) : new ReplicaSetView(version, 0, 0);
}
