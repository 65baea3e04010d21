using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Configuration;

/// <summary>
/// Where a draft's field was written, by its config-file name ("interval", "auth.tokenFile", "paths[1]"): a file
/// position and a path such as <c>applications[1].interval</c> for the config file, the option name for the CLI.
/// </summary>
internal delegate (SourceMark Mark, string Path) FieldLocator(string field);
