namespace GitOps.Reconciler.Model;

/// <summary>A container's log driver and its options (Compose <c>logging</c>).</summary>
internal sealed record Logging(string Driver, ValueMap<string> Options);
