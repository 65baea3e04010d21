using System.Globalization;
using GitOps.Reconciler.Ports;

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
    int ExitCode)
{
    /// <summary>Stopped or killed by a user (gitops stop/kill), not ended by itself: a drift to heal, never a finished one-off.</summary>
    public bool StoppedByUser { get; init; }
}

/// <summary>What the engine runs for one application, read from the labels the reconciler put there.</summary>
internal sealed record ActualApp(
    IReadOnlyList<ActualContainer> Containers,
    IReadOnlySet<string> Networks,
    IReadOnlySet<string> OwnedNetworks,
    IReadOnlyList<RouterView> Routers)
{
    /// <summary>Every volume on the engine (external ones must exist), and those this application made.</summary>
    public IReadOnlySet<string> Volumes { get; init; } = new HashSet<string>();
    public IReadOnlyList<ActualVolume> OwnedVolumes { get; init; } = [];
    /// <summary>Secrets and configs on the engine by (IsConfig, name), with the digest label of those this application made.</summary>
    public IReadOnlyDictionary<(bool IsConfig, string Name), ActualObject> Objects { get; init; } = new Dictionary<(bool, string), ActualObject>();

    public static ActualApp Read(IEnginePort engine, string app)
    {
        var containers = new List<ActualContainer>();
        foreach (var c in engine.Containers())
        {
            var l = c.Labels;
            if (!l.TryGetValue(ManagedLabels.App, out var a) || a != app) continue;
            containers.Add(new ActualContainer(
                c.Id, c.Name, l.GetValueOrDefault(ManagedLabels.Service) ?? "",
                int.TryParse(l.GetValueOrDefault(ManagedLabels.Replica), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
                l.GetValueOrDefault(ManagedLabels.Part), l.GetValueOrDefault(ManagedLabels.SpecHash) ?? "", l.GetValueOrDefault(ManagedLabels.Revision) ?? "",
                c.Status, c.Running, c.Health, c.Image, c.Env, c.Created, c.FinishedAt, c.ExitCode)
            { StoppedByUser = c.StoppedByUser });
        }
        var all = engine.Networks();
        var networks = all.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var owned = all.Where(n => n.Labels.GetValueOrDefault(ManagedLabels.App) == app).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var routers = engine.Routers().Where(r => r.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList();
        var volumes = engine.Volumes();
        var objects = new Dictionary<(bool, string), ActualObject>();
        foreach (var config in new[] { false, true })
            foreach (var o in engine.Objects(config))
                objects[(config, o.Name)] = new ActualObject(o.Name, config, o.Labels.GetValueOrDefault(ManagedLabels.App) == app, o.Labels.GetValueOrDefault(ManagedLabels.Digest));
        return new ActualApp(containers, networks, owned, routers)
        {
            Volumes = volumes.Select(v => v.Name).ToHashSet(StringComparer.Ordinal),
            OwnedVolumes = volumes.Where(v => v.Labels.GetValueOrDefault(ManagedLabels.App) == app)
                .Select(v => new ActualVolume(v.Name, v.Labels.GetValueOrDefault(ManagedLabels.Ephemeral), v.Labels.GetValueOrDefault(ManagedLabels.ClaimOf),
                    v.Labels.GetValueOrDefault(ManagedLabels.AnonymousOf))).ToList(),
            Objects = objects,
        };
    }
}

/// <summary>A volume this application made: a declared volume, a StatefulSet claim (<see cref="ClaimOf"/>) or a replica's scratch space (<see cref="ScratchOf"/>).</summary>
internal sealed record ActualVolume(string Name, string? ScratchOf, string? ClaimOf, string? AnonymousOf = null);

/// <summary>A secret or config on the engine; <see cref="Digest"/> is the content digest this application labelled it with.</summary>
internal sealed record ActualObject(string Name, bool IsConfig, bool Owned, string? Digest);
