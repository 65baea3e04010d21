using System.Globalization;
using GitOps.Runtime;
using GitOps.Runtime.Networking;

namespace GitOps.Reconciler.Reconcile;

/// <summary>One managed container as the engine reports it, reduced to what plans and drift need.</summary>
internal sealed record ActualContainer(
    string Id,
    string Name,
    string Service,
    int? Ordinal,
    string? Part,
    string Hash,
    string Revision,
    string Status,
    bool Running,
    string? Health,
    string Image,
    IReadOnlyList<string> Env,
    DateTimeOffset Created,
    DateTimeOffset FinishedAt,
    int ExitCode);

/// <summary>What the engine runs for one application, read from the labels the reconciler put there.</summary>
internal sealed record ActualApp(
    IReadOnlyList<ActualContainer> Containers,
    IReadOnlySet<string> Networks,
    IReadOnlySet<string> OwnedNetworks,
    IReadOnlyList<RouterConfig> Routers)
{
    public static ActualApp Read(Engine engine, string app)
    {
        var containers = new List<ActualContainer>();
        foreach (var c in engine.Containers.All())
        {
            var l = c.Config.Labels;
            if (!l.TryGetValue(ManagedLabels.App, out var a) || a != app) continue;
            var state = c.State;
            containers.Add(new ActualContainer(
                c.Id, c.Name, l.GetValueOrDefault(ManagedLabels.Service) ?? "",
                int.TryParse(l.GetValueOrDefault(ManagedLabels.Replica), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
                l.GetValueOrDefault(ManagedLabels.Part), l.GetValueOrDefault(ManagedLabels.SpecHash) ?? "", l.GetValueOrDefault(ManagedLabels.Revision) ?? "",
                state.Status, state.Running, state.Health?.Status, c.Config.Image, c.Config.Env, c.Config.Created, state.FinishedAt, state.ExitCode));
        }
        var all = engine.Networks.List();
        var networks = all.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var owned = all.Where(n => n.Labels.GetValueOrDefault(ManagedLabels.App) == app).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var routers = engine.Networks.ListRouters().Where(r => r.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList();
        return new ActualApp(containers, networks, owned, routers);
    }
}
