using System.Text;
using System.Text.RegularExpressions;

namespace GitOps.Runtime.Images.Build;

/// <summary>One instruction: keyword, its --flags, the rest of the line, and where it starts.</summary>
public sealed record Instruction(string Keyword, IReadOnlyDictionary<string, string> Flags, string Args, int Line)
{
    public string Text => Keyword + (Flags.Count == 0 ? "" : " " + string.Join(' ', Flags.Select(f => $"--{f.Key}={f.Value}"))) + (Args.Length == 0 ? "" : " " + Args);
}

/// <summary>A parsed Dockerfile; <see cref="Errors"/> holds every problem found, each as "file:line: what".</summary>
public sealed record Dockerfile(string Name, IReadOnlyList<Instruction> Instructions, char Escape, IReadOnlyList<string> Errors);

/// <summary>
/// Dockerfile syntax as Docker's parser reads it: parser directives at the top (escape, syntax),
/// comment lines, line continuations with the escape character (comment lines inside one are
/// dropped), case-insensitive keywords, and leading --flags on the instructions that take them.
/// </summary>
public static partial class DockerfileParser
{
    public static readonly HashSet<string> Keywords =
    [
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
        "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    ];

    // Which --flags each instruction accepts (Docker's, less the BuildKit-only mounts and networks of RUN).
    static readonly Dictionary<string, string[]> AllowedFlags = new()
    {
        ["FROM"] = ["platform"],
        ["COPY"] = ["from", "chown", "chmod", "link", "parents", "exclude"],
        ["ADD"] = ["chown", "chmod", "link", "checksum", "keep-git-dir"],
        ["HEALTHCHECK"] = ["interval", "timeout", "start-period", "start-interval", "retries"],
        ["RUN"] = [],
    };

    [GeneratedRegex(@"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")]
    private static partial Regex Directive();

    public static Dockerfile Parse(string text, string name = "Dockerfile")
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var errors = new List<string>();
        var escape = '\\';
        var i = 0;
        // Parser directives: only before anything else, each at most once.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (; i < lines.Length; i++)
        {
            var m = Directive().Match(lines[i]);
            if (!m.Success) break;
            var key = m.Groups[1].Value.ToLowerInvariant();
            if (!seen.Add(key)) { errors.Add($"{name}:{i + 1}: only one {key} parser directive can be used"); continue; }
            if (key == "escape")
            {
                var v = m.Groups[2].Value;
                if (v is not ("\\" or "`")) errors.Add($"{name}:{i + 1}: invalid escape token '{v}' does not match ` or \\");
                else escape = v[0];
            }
        }

        var instructions = new List<Instruction>();
        while (i < lines.Length)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) { i++; continue; }
            var start = i + 1;
            var sb = new StringBuilder();
            while (true)
            {
                var current = lines[i].TrimEnd();
                i++;
                if (current.Length > 0 && current[^1] == escape)
                {
                    sb.Append(current, 0, current.Length - 1);
                    // Comment lines (and, as Docker allows, empty lines) inside a continuation are skipped.
                    while (i < lines.Length && (lines[i].TrimStart().StartsWith('#') || lines[i].Trim().Length == 0)) i++;
                    if (i >= lines.Length) break;
                    continue;
                }
                sb.Append(current);
                break;
            }
            var full = sb.ToString().Trim();
            var sp = full.IndexOfAny([' ', '\t']);
            var keyword = (sp < 0 ? full : full[..sp]).ToUpperInvariant();
            var rest = sp < 0 ? "" : full[(sp + 1)..].Trim();
            if (!Keywords.Contains(keyword))
            {
                errors.Add($"{name}:{start}: unknown instruction: {(sp < 0 ? full : full[..sp])}");
                continue;
            }
            var flags = new Dictionary<string, string>(StringComparer.Ordinal);
            if (AllowedFlags.TryGetValue(keyword, out var allowed))
            {
                while (rest.StartsWith("--", StringComparison.Ordinal))
                {
                    var end = rest.IndexOfAny([' ', '\t']);
                    var flag = end < 0 ? rest : rest[..end];
                    rest = end < 0 ? "" : rest[(end + 1)..].TrimStart();
                    var eq = flag.IndexOf('=');
                    var fname = eq < 0 ? flag[2..] : flag[2..eq];
                    if (!allowed.Contains(fname)) { errors.Add($"{name}:{start}: unknown flag: --{fname} for {keyword}"); continue; }
                    flags[fname] = eq < 0 ? "true" : flag[(eq + 1)..];
                }
            }
            if (rest.Length == 0 && keyword is not ("RUN" or "CMD" or "ENTRYPOINT"))
            {
                errors.Add($"{name}:{start}: {keyword} requires at least one argument");
                continue;
            }
            instructions.Add(new Instruction(keyword, flags, rest, start));
        }
        if (instructions.Count == 0 && errors.Count == 0) errors.Add($"{name}:1: the Dockerfile has no instructions");
        return new Dockerfile(name, instructions, escape, errors);
    }
}
