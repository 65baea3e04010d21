namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// An argument of a run: a value, or a secret's key that is read for each measurement and never stored here.
/// </summary>
internal sealed record RunArgument
{
    public required string Name { get; init; }
    public string? Value { get; init; }
    public string? SecretName { get; init; }
    public string? SecretKey { get; init; }

    public bool IsSecret => SecretName is not null;
}
