using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Loading;

/// <summary>Everything one load shares: options, the findings so far, parsed files and source positions.</summary>
internal sealed class LoadContext
{
    public LoadContext(LoadOptions options)
    {
        Options = options;
        Diagnostics = new DiagnosticBag();
        Reader = new NodeReader(Diagnostics);
        Paths = new Policy.PathGuard(options.Root, options.Policy, Diagnostics, Inputs.Add);
        Files = new YamlFileCache(Diagnostics, Paths, Inputs);
    }

    public LoadOptions Options { get; }

    public DiagnosticBag Diagnostics { get; }

    public YamlFileCache Files { get; }

    public NodeReader Reader { get; }

    public SourceMap Sources { get; } = new();

    /// <summary>What this load read, for the reconciler's revision cache.</summary>
    public LoadInputs Inputs { get; } = new();

    /// <summary>The gate for every file a manifest names: inside the revision's tree, or a host path the policy allows.</summary>
    public Policy.PathGuard Paths { get; }

    /// <summary>Where relative bind sources resolve: the directory of the first path loaded (as the reconciler compiles them).</summary>
    public string? AppDirectory { get; set; }

    /// <summary>
    /// Something valid that gitops cannot run: a warning that says what happens instead (<paramref name="outcome"/>,
    /// appended as written: " and is ignored", "; it is not applied"), or under <see cref="LoadOptions.Strict"/> an
    /// error without it, since nothing is ignored or left out then: the revision is rejected.
    /// </summary>
    public void Unsupported(YNode node, string message, string code = "unsupported", string? outcome = null)
    {
        if (Options.Strict) Diagnostics.Error(node, message, code);
        else Diagnostics.Warning(node, message + outcome, code);
    }

    public void Unsupported(SourceMark mark, string path, string message, string code = "unsupported", string? outcome = null)
    {
        if (Options.Strict) Diagnostics.Error(mark, path, message, code);
        else Diagnostics.Warning(mark, path, message + outcome, code);
    }
}
