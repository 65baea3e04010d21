namespace GitOps.Reconciler.Model;

/// <summary>A Compose <c>build:</c> section: recorded so the plan can build or report it; stacks ignore it.</summary>
internal sealed record BuildSpec(string Context, string? Dockerfile, string? DockerfileInline, string? Target, ValueMap<string> Args);
