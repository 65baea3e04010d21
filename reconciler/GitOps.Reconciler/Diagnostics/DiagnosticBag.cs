using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Diagnostics;

/// <summary>
/// Collects every finding of one load: nothing stops at the first error, so a revision is reported whole.
/// Findings are de-duplicated (merged Compose files and aliases can lead to the same node twice).
/// </summary>
internal sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];
    private readonly HashSet<Diagnostic> _seen = [];

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors { get; private set; }

    public int Count => _items.Count;

    public void Add(Diagnostic diagnostic)
    {
        if (!_seen.Add(diagnostic)) return;
        _items.Add(diagnostic);
        if (diagnostic.Severity == Severity.Error) HasErrors = true;
    }

    public void Error(SourceMark at, string path, string message, string code) =>
        Add(new Diagnostic(Severity.Error, at.File, at.Line, at.Column, path, message, code));

    public void Warning(SourceMark at, string path, string message, string code) =>
        Add(new Diagnostic(Severity.Warning, at.File, at.Line, at.Column, path, message, code));

    public void Error(YNode node, string message, string code) => Error(node.Mark, node.Path, message, code);

    public void Warning(YNode node, string message, string code) => Warning(node.Mark, node.Path, message, code);

    public void AddRange(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics) Add(d);
    }

    /// <summary>Errors first, then by file and position: the order people read a compiler's output in.</summary>
    public IReadOnlyList<Diagnostic> Sorted() =>
        [.. _items.OrderBy(d => d.Severity).ThenBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Column).ThenBy(d => d.Message, StringComparer.Ordinal)];
}
