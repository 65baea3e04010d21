using System.Text;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// <c>.env</c> and <c>env_file</c> files with the rules of compose-go's dotenv parser (itself from godotenv):
/// <c>KEY=value</c> or <c>KEY: value</c>, an optional <c>export</c> prefix, comments, inline comments after
/// unquoted values, single quotes taken literally, double quotes with <c>\n</c> and <c>\"</c> escapes, values
/// spanning lines inside quotes, a bare <c>KEY</c> taken from the environment, and variables expanded from
/// earlier keys and the environment (not in single quotes). A key with a space in it is an error.
/// </summary>
internal static class DotEnv
{
    public sealed record Entry(string Key, string Value, int Line);

    /// <summary>Parses <paramref name="text"/>; <paramref name="lookup"/> answers bare keys and variables.</summary>
    public static List<Entry> Parse(string text, Func<string, string?> lookup)
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var entries = new List<Entry>();
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        var line = 1;
        while (true)
        {
            // Skip blank lines and comments.
            while (i < text.Length)
            {
                if (text[i] == '\n') { line++; i++; continue; }
                if (char.IsWhiteSpace(text[i])) { i++; continue; }
                if (text[i] == '#')
                {
                    while (i < text.Length && text[i] != '\n') i++;
                    continue;
                }
                break;
            }
            if (i >= text.Length) break;
            var statementLine = line;

            if (text.AsSpan(i).StartsWith("export") && i + 6 < text.Length && text[i + 6] is ' ' or '\t') i += 6;
            while (i < text.Length && text[i] is ' ' or '\t') i++;

            var keyStart = i;
            var inherited = false;
            while (true)
            {
                if (i >= text.Length) { inherited = true; break; }
                var c = text[i];
                if (c == '=' || c == ':') break;
                if (c == '\n') { inherited = true; break; }
                if (c is ' ' or '\t' or '\r' or '_' or '.' or '-' || char.IsLetterOrDigit(c)) { i++; continue; }
                throw new DotEnvException(statementLine, $"unexpected character \"{c}\" in variable name");
            }
            var key = text[keyStart..i].TrimEnd();
            if (key.Contains(' ', StringComparison.Ordinal) || key.Contains('\t', StringComparison.Ordinal))
                throw new DotEnvException(statementLine, $"key \"{key}\" cannot contain a space");
            if (inherited)
            {
                if (key.Length > 0 && lookup(key) is { } inheritedValue)
                {
                    known[key] = inheritedValue;
                    entries.Add(new Entry(key, inheritedValue, statementLine));
                }
                continue;
            }
            i++; // '=' or ':'
            while (i < text.Length && text[i] is ' ' or '\t') i++;

            string value;
            if (i < text.Length && text[i] is '\'' or '"')
            {
                var quote = text[i];
                var end = i + 1;
                while (end < text.Length && !(text[end] == quote && text[end - 1] != '\\')) end++;
                if (end >= text.Length) throw new DotEnvException(statementLine, "unterminated quoted value");
                var raw = text[(i + 1)..end];
                line += Count(raw, '\n');
                value = quote == '"'
                    ? Expand(Unescape(raw), known, lookup)
                    : raw.Replace("\\'", "'", StringComparison.Ordinal);
                i = end + 1;
                // Anything after the closing quote up to the end of the line is a comment or blanks.
                while (i < text.Length && text[i] != '\n') i++;
            }
            else
            {
                var end = text.IndexOf('\n', i);
                if (end < 0) end = text.Length;
                var raw = text[i..end];
                var hash = raw.IndexOf(" #", StringComparison.Ordinal);
                if (raw.StartsWith('#')) raw = "";
                else if (hash >= 0) raw = raw[..hash];
                value = Expand(raw.TrimEnd(), known, lookup);
                i = end;
            }
            known[key] = value;
            entries.Add(new Entry(key, value, statementLine));
        }
        return entries;
    }

    // Earlier keys of the same file first, then the environment. Which of the two wins for the project's
    // .env as a whole is the caller's decision (Compose: the environment), see ComposeEnvironment.
    private static string? Resolve(string key, Dictionary<string, string> known, Func<string, string?> lookup) =>
        known.TryGetValue(key, out var v) ? v : lookup(key);

    private static string Expand(string value, Dictionary<string, string> known, Func<string, string?> lookup)
    {
        // "\$" protects a dollar sign; the interpolator's own escape is "$$".
        var protectedValue = value.Replace("\\$", "$$", StringComparison.Ordinal);
        try
        {
            return new Interpolator(name => Resolve(name, known, lookup)).Expand(protectedValue, _ => { });
        }
        catch (InterpolationException)
        {
            // Not a template after all (a lone "$" in a password): keep the text.
            return value;
        }
    }

    private static string Unescape(string raw)
    {
        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\' || i + 1 >= raw.Length) { sb.Append(raw[i]); continue; }
            var n = raw[i + 1];
            switch (n)
            {
                case 'n': sb.Append('\n'); i++; break;
                case 'r': sb.Append('\r'); i++; break;
                case '"': sb.Append('"'); i++; break;
                case '\\': sb.Append('\\'); i++; break;
                case '$': sb.Append("\\$"); i++; break; // kept for Expand to protect
                default: sb.Append(n); i++; break; // "\ " -> " ", "\a" -> "a", as godotenv
            }
        }
        return sb.ToString();
    }

    private static int Count(string s, char c)
    {
        var n = 0;
        foreach (var ch in s) if (ch == c) n++;
        return n;
    }
}
