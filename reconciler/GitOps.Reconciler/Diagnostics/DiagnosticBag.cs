using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Diagnostics;

/// <summary>
/// Collects every finding of one load: nothing stops at the first error, so a revision is reported whole.
/// Findings are de-duplicated (merged Compose files and aliases can lead to the same node twice), and a node
/// has one finding, one message: a warning about a node that has an error becomes part of the error's message
/// (an unset variable is why a volume's source is empty) instead of a second line about the same field.
/// </summary>
internal sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];
    private readonly HashSet<Diagnostic> _seen = [];
    private readonly Dictionary<(string File, int Line, int Column, string Path), Diagnostic> _errorAt = [];
    private readonly Dictionary<(string File, int Line, int Column, string Path), List<Diagnostic>> _warningsAt = [];

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors { get; private set; }

    public int Count => _items.Count;

    public void Add(Diagnostic diagnostic)
    {
        if (!_seen.Add(diagnostic)) return;
        var node = (diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.Path);
        if (diagnostic.Severity == Severity.Warning)
        {
            if (_errorAt.TryGetValue(node, out var error)) Replace(node, error, Fold(error, [diagnostic]));
            else
            {
                if (!_warningsAt.TryGetValue(node, out var list)) _warningsAt[node] = list = [];
                list.Add(diagnostic);
                _items.Add(diagnostic);
            }
            return;
        }
        HasErrors = true;
        if (_errorAt.ContainsKey(node))
        {
            _items.Add(diagnostic); // a second error at the node is a second finding
            return;
        }
        if (_warningsAt.Remove(node, out var warnings))
        {
            _items.RemoveAll(d => warnings.Contains(d));
            diagnostic = Fold(diagnostic, warnings);
        }
        _errorAt[node] = diagnostic;
        _items.Add(diagnostic);
    }

    private void Replace((string, int, int, string) node, Diagnostic old, Diagnostic updated)
    {
        _items[_items.IndexOf(old)] = updated;
        _errorAt[node] = updated;
    }

    private static Diagnostic Fold(Diagnostic error, IEnumerable<Diagnostic> warnings) =>
        error with { Message = error.Message + " (" + string.Join("; ", warnings.Select(w => w.Message)) + ")" };

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
