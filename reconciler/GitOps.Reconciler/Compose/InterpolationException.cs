namespace GitOps.Reconciler.Compose;

/// <summary>A malformed template or a missing required variable; turned into a diagnostic at the scalar's position.</summary>
internal sealed class InterpolationException(string message) : Exception(message);
