namespace GitOps.Reconciler.Yaml;

/// <summary>One document of a YAML stream; <see cref="Root"/> is null for an empty document (only comments).</summary>
internal sealed record YamlDocument(string File, int Index, YNode? Root, SourceMark Start);
