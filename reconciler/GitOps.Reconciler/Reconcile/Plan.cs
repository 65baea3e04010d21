namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// One action of a plan, in the order it runs. <see cref="Describe"/> is what <c>gitops diff</c> prints;
/// <see cref="DataLoss"/> says what data a removal would destroy (the plan must say so before it happens).
/// </summary>
internal abstract record PlanStep(string Kind, string Target)
{
    public abstract string Describe();
    public virtual string? DataLoss => null;
}

internal sealed record CreateNetwork(DesiredNetwork Network) : PlanStep("network", Network.EngineName)
{
    public override string Describe() => $"create network {Network.EngineName}";
}

internal sealed record RemoveNetwork(string Name) : PlanStep("network", Name)
{
    public override string Describe() => $"remove network {Name}";
}

internal sealed record CreateVolume(DesiredVolume Volume) : PlanStep("volume", Volume.EngineName)
{
    public override string Describe() => $"create volume {Volume.EngineName}";
}

/// <summary>Removes a volume that left Git; only planned when the application opted in to pruning volumes.</summary>
internal sealed record RemoveVolume(string Name, bool Scratch = false) : PlanStep("volume", Name)
{
    public override string Describe() => Scratch ? $"remove scratch volume {Name}" : $"remove volume {Name} and its data";
    public override string? DataLoss => Scratch ? null : $"volume {Name}: every file in it is deleted";
}

/// <summary>Creates a secret or config, or stores a new version when Git's content digest differs from the engine's.</summary>
internal sealed record EnsureObject(DesiredSecret Object, bool Exists) : PlanStep(Object.IsConfig ? "config" : "secret", Object.EngineName)
{
    public override string Describe() =>
        $"{(Exists ? "update" : "create")} {Kind} {Object.EngineName}{(Exists ? $" (content in Git is now {Short(Object.Digest)})" : "")}";

    static string Short(string? digest) => digest is null ? "unknown" : digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[..19] + "…" : digest.Length > 24 ? digest[..24] + "…" : digest;
}

internal sealed record RemoveObject(string Name, bool IsConfig) : PlanStep(IsConfig ? "config" : "secret", Name)
{
    public override string Describe() => $"remove {Kind} {Name}";
}

/// <summary>Start replicas that are missing or stopped, replace those of another spec, remove extra ones.</summary>
internal sealed record RolloutService(
    DesiredService Service,
    IReadOnlyList<int> Create,
    IReadOnlyList<int> Start,
    IReadOnlyList<int> Replace,
    IReadOnlyList<ActualContainer> Remove,
    string Strategy) : PlanStep("service", Service.Name)
{
    public override string Describe()
    {
        var parts = new List<string>();
        if (Create.Count > 0) parts.Add($"create {Create.Count} replica{(Create.Count == 1 ? "" : "s")} ({string.Join(", ", Create.Select(o => "#" + o))})");
        if (Start.Count > 0) parts.Add($"start {string.Join(", ", Start.Select(o => "#" + o))}");
        if (Replace.Count > 0) parts.Add($"replace {Replace.Count} replica{(Replace.Count == 1 ? "" : "s")} ({Strategy})");
        if (Remove.Count > 0) parts.Add($"remove {string.Join(", ", Remove.Select(c => c.Name))}");
        return $"service {Service.Name}: {string.Join("; ", parts)}";
    }
}

/// <summary>Remove every container of a service that left Git.</summary>
internal sealed record RemoveService(string Service, IReadOnlyList<ActualContainer> Containers) : PlanStep("service", Service)
{
    public override string Describe() => $"remove service {Service} ({string.Join(", ", Containers.Select(c => c.Name))})";
}

internal sealed record EnsureRouter(DesiredRouter Router, bool Exists) : PlanStep("router", Router.Name)
{
    public override string Describe() => $"{(Exists ? "update" : "create")} router {Router.Name} ({Router.DnsName}:{Router.Port}/{Router.Protocol}{(Router.HostPort is { } hp ? $", published on {hp}" : "")})";
}

internal sealed record RemoveRouter(string Name) : PlanStep("router", Name)
{
    public override string Describe() => $"remove router {Name}";
}

/// <summary>An ordered plan; empty means converged.</summary>
internal sealed record Plan(string Revision, IReadOnlyList<PlanStep> Steps, IReadOnlyList<string> Warnings)
{
    public bool IsEmpty => Steps.Count == 0;
}
