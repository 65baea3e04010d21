using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>One Compose file after reading, interpolation, schema validation and path rebasing (extends not yet applied).</summary>
internal sealed record ComposeSource(string File, YMapping Root, ComposeEnvironment Environment);
