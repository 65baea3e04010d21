using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>
/// The blue-green of the seed's chapter 13, done in Git: two workloads (web-blue, web-green) and a Service whose selector
/// is flipped from one to the other. Nothing is scaled or replaced — only the route's backends change — and the plan
/// reports it as a blue-green switch rather than as an edited Service.
/// </summary>
internal sealed record BlueGreenSwitch(string Route, ValueList<string> From, ValueList<string> To)
{
    public override string ToString() => $"blue-green switch: route {Route} from {string.Join(", ", From)} to {string.Join(", ", To)}";

    /// <summary>
    /// Routes present in both applications whose backends moved from one non-empty set of services to another that
    /// shares none of them, with those services present on both sides (so the old side is still there to switch back to).
    /// </summary>
    public static List<BlueGreenSwitch> Detect(Application? before, Application after)
    {
        var switches = new List<BlueGreenSwitch>();
        if (before is null) return switches;
        foreach (var (name, route) in after.Routes)
        {
            if (!before.Routes.TryGetValue(name, out var old)) continue;
            if (old.Backends.IsEmpty || route.Backends.IsEmpty || old.Backends.Intersect(route.Backends).Any()) continue;
            var all = old.Backends.Concat(route.Backends);
            if (!all.All(s => before.Services.ContainsKey(s) && after.Services.ContainsKey(s))) continue;
            switches.Add(new BlueGreenSwitch(name, old.Backends, route.Backends));
        }
        return switches;
    }
}
