namespace GitOps.Reconciler.Model;

/// <summary>A service that must reach <see cref="Condition"/> first; <see cref="Restart"/> restarts this service when it is updated.</summary>
internal sealed record Dependency(string Service, DependencyCondition Condition, bool Restart, bool Required);
