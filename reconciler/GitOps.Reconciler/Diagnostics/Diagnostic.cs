namespace GitOps.Reconciler.Diagnostics;

/// <summary>
/// One finding about a manifest: where (file, 1-based line and column, and the path inside the document,
/// such as <c>services.web.ports[1]</c>) and what was expected. Messages never quote secret values.
/// </summary>
internal sealed record Diagnostic(Severity Severity, string File, int Line, int Column, string Path, string Message, string Code)
{
    /// <summary>Compiler style, so editors and CI annotate the line: <c>file:line:col: error: path: message</c>.</summary>
    public override string ToString()
    {
        var where = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        var severity = Severity == Severity.Error ? "error" : "warning";
        return Path.Length > 0 ? $"{where}: {severity}: {Path}: {Message}" : $"{where}: {severity}: {Message}";
    }
}
