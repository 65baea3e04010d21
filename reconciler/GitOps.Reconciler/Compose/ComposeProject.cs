using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// A Compose project after merging, extends and profiles: one tree ready to be mapped. <see cref="Disabled"/>
/// lists services removed by profiles (a dependency on one is reported as such, not as "undefined").
/// </summary>
internal sealed record ComposeProject(
    string Name,
    YMapping Root,
    string RootDir,
    ComposeEnvironment Environment,
    bool Stack,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Disabled);
