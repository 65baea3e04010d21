using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Loading;

/// <summary>
/// Reads and parses each file once per load (Compose files are read again by extends and include), and
/// reports its syntax errors once. Files are named as the user named them (relative stays relative), so
/// messages match what they typed.
/// </summary>
internal sealed class YamlFileCache(DiagnosticBag diagnostics, Policy.PathGuard? guard = null, LoadInputs? inputs = null)
{
    private readonly Dictionary<string, IReadOnlyList<YamlDocument>?> _documents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _broken = new(StringComparer.Ordinal);

    public DiagnosticBag Diagnostics { get; } = diagnostics;

    /// <summary>The documents of <paramref name="file"/>, or null when it cannot be read (reported at <paramref name="referencedFrom"/>).</summary>
    public IReadOnlyList<YamlDocument>? Read(string file, SourceMark referencedFrom, string referencePath)
    {
        var key = Path.GetFullPath(file);
        if (_documents.TryGetValue(key, out var cached)) return cached;
        IReadOnlyList<YamlDocument>? docs = null;
        inputs?.Add(key);
        if (guard is not null && !guard.MayRead(key))
        {
            // Callers check what manifests name; this is the last line for a path that came another way.
            var at = referencedFrom.Line > 0 ? referencedFrom : new SourceMark(file, 0, 0);
            Diagnostics.Error(at, referencePath, $"{file} resolves outside the revision's tree", "path.escape");
            _documents[key] = null;
            return null;
        }
        try
        {
            var text = File.ReadAllText(file);
            var before = Diagnostics.Count;
            docs = YamlReader.Read(file, text, Diagnostics);
            if (Diagnostics.Count > before) _broken.Add(key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var at = referencedFrom.Line > 0 ? referencedFrom : new SourceMark(file, 0, 0);
            Diagnostics.Error(at, referencePath, $"cannot read {file}: {Describe(e)}", "file.read");
        }
        _documents[key] = docs;
        return docs;
    }

    /// <summary>True when reading the file reported YAML errors (so "empty file" would only repeat them).</summary>
    public bool IsBroken(string file) => _broken.Contains(Path.GetFullPath(file));

    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
