using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// The variables a Compose project is interpolated with: the load's environment first, then the project's
/// <c>.env</c> (or the <c>--env-file</c> files) for what the environment does not set — Compose's precedence.
/// </summary>
internal sealed class ComposeEnvironment
{
    private readonly Dictionary<string, string> _values;

    private ComposeEnvironment(Dictionary<string, string> values) => _values = values;

    public IReadOnlyDictionary<string, string> Values => _values;

    public string? Lookup(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public static ComposeEnvironment Create(string projectDir, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> envFiles, LoadContext ctx)
    {
        var values = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        var files = envFiles.Count > 0 ? envFiles : [Path.Combine(projectDir, ".env")];
        foreach (var given in files)
        {
            // --env-file comes from the operator; the project's .env comes from the revision and must stay in its tree.
            var file = envFiles.Count > 0 ? given : ctx.Paths.Read(given, projectDir, new SourceMark(given, 0, 0), "", ".env");
            if (file is null) continue;
            if (!File.Exists(file))
            {
                // The implicit .env is optional; an --env-file that is missing is a mistake.
                if (envFiles.Count > 0) ctx.Diagnostics.Error(new SourceMark(file, 0, 0), "", "env file not found", "compose.env-file");
                continue;
            }
            foreach (var entry in ReadEnvFile(file, name => values.TryGetValue(name, out var v) ? v : null, ctx) ?? [])
                values.TryAdd(entry.Key, entry.Value);
        }
        return new ComposeEnvironment(values);
    }

    /// <summary>A child environment for an included project: its own .env fills what the parent does not set.</summary>
    public ComposeEnvironment WithDefaults(IEnumerable<DotEnv.Entry> entries)
    {
        var values = new Dictionary<string, string>(_values, StringComparer.Ordinal);
        foreach (var e in entries) values.TryAdd(e.Key, e.Value);
        return new ComposeEnvironment(values);
    }

    /// <summary>Reads a .env-format file; parse errors are reported at their line and yield null.</summary>
    public static List<DotEnv.Entry>? ReadEnvFile(string file, Func<string, string?> lookup, LoadContext ctx, SourceMark? referencedFrom = null, string referencePath = "")
    {
        string text;
        ctx.Inputs.Add(file);
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ctx.Diagnostics.Error(referencedFrom ?? new SourceMark(file, 0, 0), referencePath, $"cannot read env file {file}: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}", "compose.env-file");
            return null;
        }
        try
        {
            return DotEnv.Parse(text, lookup);
        }
        catch (DotEnvException e)
        {
            ctx.Diagnostics.Error(new SourceMark(file, e.Line, 1), "", e.Message, "compose.env-file");
            return null;
        }
    }
}
