using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Loading;

/// <summary>
/// The outcome of loading a revision: the application, or null when any error was found (never a half-read
/// model), and every diagnostic, errors first.
/// </summary>
internal sealed record LoadResult(Application? Application, IReadOnlyList<Diagnostic> Diagnostics, SourceMap Sources)
{
    public bool Succeeded => Application is not null;

    /// <summary>The files and directories the load read or resolved (see <see cref="LoadInputs"/>).</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == Severity.Error);

    public IEnumerable<Diagnostic> Warnings => Diagnostics.Where(d => d.Severity == Severity.Warning);
}
