namespace GitOps.Reconciler.Yaml;

/// <summary>One key/value pair of a mapping; keys are always scalars (complex keys are rejected when reading).</summary>
internal sealed record YEntry(YScalar Key, YNode Value);
