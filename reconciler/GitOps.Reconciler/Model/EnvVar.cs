namespace GitOps.Reconciler.Model;

/// <summary>An environment variable: either a literal <see cref="Value"/> or a reference (<see cref="From"/>), never both.</summary>
internal sealed record EnvVar(string Name, string? Value, EnvValueSource? From);
