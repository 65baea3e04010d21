namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>The tick's target (every version's replicas included) and the actions that differ from what was observed or last set.</summary>
internal static class Targets
{
    public static RolloutTarget Build(RolloutContext c)
    {
        var scale = new List<VersionScale>();
        var roles = new Dictionary<string, VersionRole>(StringComparer.Ordinal);
        if (c.Next.StableVersion is { } stable) roles[stable] = VersionRole.Stable;
        if (c.NewVersion != c.Next.StableVersion) roles[c.NewVersion] = c.Spec.Strategy == Model.RolloutStrategyKind.BlueGreen ? VersionRole.Preview : VersionRole.Canary;
        foreach (var observed in c.Input.Observed.Versions)
        {
            var keep = c.Scale.TryGetValue(observed.Version, out var set) ? set.Replicas : observed.Replicas;
            scale.Add(new VersionScale(observed.Version, roles.GetValueOrDefault(observed.Version, VersionRole.Old), keep));
        }
        foreach (var set in c.Scale.Values)
            if (c.Input.Observed.Of(set.Version) is null) scale.Add(set with { Role = roles.GetValueOrDefault(set.Version, set.Role) });
        scale.Sort((a, b) => a.Role != b.Role ? a.Role.CompareTo(b.Role) : string.CompareOrdinal(a.Version, b.Version));
        return new RolloutTarget(scale, c.Traffic, c.Next.HeaderRoutes, c.Next.Routes, c.ReferencedWorkloadReplicas);
    }

    public static List<RolloutAction> Actions(RolloutContext c, RolloutTarget target)
    {
        var actions = new List<RolloutAction>();
        foreach (var s in target.Scale)
        {
            var observed = c.Input.Observed.Of(s.Version)?.Replicas ?? 0;
            if (observed != s.Replicas) actions.Add(new ScaleVersion(s.Version, s.Role, observed, s.Replicas));
        }
        if (c.Input.Routing != TrafficRouting.Replicas && target.Traffic.StableVersion is { } stableVersion)
        {
            var applied = c.Input.Observed.Weights;
            var weight = target.Traffic.Mode == TrafficMode.Router ? target.Traffic.DesiredWeight : 0;
            var canary = target.Traffic.Mode == TrafficMode.Router ? target.Traffic.CanaryVersion : null;
            var changed = applied is null
                ? c.Prev.CanaryWeight != c.Next.CanaryWeight || c.Prev.StableVersion != c.Next.StableVersion || c.Prev.CurrentVersion != c.Next.CurrentVersion
                : applied.CanaryWeight != weight || applied.StableVersion != stableVersion || (weight > 0 && applied.CanaryVersion != canary);
            if (changed) actions.Add(new SetTrafficWeight(stableVersion, canary, weight));
        }
        foreach (var old in c.Prev.HeaderRoutes)
            if (!target.HeaderRoutes.Any(r => r.Name == old.Name)) actions.Add(new RemoveHeaderRoute(old.Name));
        foreach (var route in target.HeaderRoutes)
            if (!c.Prev.HeaderRoutes.Any(r => r.Name == route.Name && r.Matches.SequenceEqual(route.Matches)))
                actions.Add(new SetHeaderRoute(route, c.NewVersion));
        foreach (var pin in target.Routes)
            if (!c.Prev.Routes.Contains(pin)) actions.Add(new PointRoute(pin.Route, pin.Role, pin.Version));
        actions.AddRange(c.AnalysisActions);
        if (target.ReferencedWorkloadReplicas is { } wr && c.Spec.WorkloadRef is { } reference && c.Input.Observed.ReferencedWorkloadReplicas != wr)
            actions.Add(new ScaleReferencedWorkload(reference.Name, wr));
        if (c.Prev.Phase != c.Next.Phase || c.Prev.Message != c.Next.Message) actions.Add(new ReportStatus(c.Next.Phase, c.Next.Message));
        return actions;
    }
}
