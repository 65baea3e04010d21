namespace GitOps.Runtime.Health;

/// <summary>
/// A container's health status changed (<see cref="HealthMonitor.Changed"/>): by a probe result, or
/// because the container (re)started ("starting"), stopped or paused ("unhealthy"), or was re-adopted
/// at daemon start (its persisted status, so a listener starting fresh learns it).
/// </summary>
/// <param name="Previous">The status before; null when the container had none (first start, adoption).</param>
public sealed record HealthChange(string ContainerId, string Name, string Status, string? Previous, int FailingStreak,
    IReadOnlyDictionary<string, string> Labels);
