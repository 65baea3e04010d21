using System.Text;

namespace GitOps.Runtime.Images.Build;

/// <summary>
/// Docker's variable substitution in instructions other than RUN, CMD and ENTRYPOINT: $name,
/// ${name}, ${name:-default}, ${name:+alternative}, ${name-default}, ${name+alternative}; the escape character
/// before $ keeps it literal; text in single quotes is left alone.
/// </summary>
public static class Expander
{
    public static string Expand(string text, Func<string, string?> lookup, char escape = '\\')
    {
        var sb = new StringBuilder(text.Length);
        var single = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\'' ) { single = !single; sb.Append(c); continue; }
            if (single) { sb.Append(c); continue; }
            if (c == escape && i + 1 < text.Length && text[i + 1] == '$')
            {
                // An escaped $ stays a literal $ (the escape itself is kept for the shell-word splitter when it is a backslash).
                sb.Append(escape == '\\' ? "\\$" : "$");
                i++;
                continue;
            }
            if (c != '$' || i + 1 >= text.Length) { sb.Append(c); continue; }
            if (text[i + 1] == '{')
            {
                var close = text.IndexOf('}', i + 2);
                if (close < 0) throw new InvalidArgumentException($"missing '}}' in \"{text}\"");
                var inner = text[(i + 2)..close];
                sb.Append(Braced(inner, lookup, escape));
                i = close;
                continue;
            }
            var j = i + 1;
            while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] == '_')) j++;
            if (j == i + 1) { sb.Append(c); continue; }
            sb.Append(lookup(text[(i + 1)..j]) ?? "");
            i = j - 1;
        }
        return sb.ToString();
    }

    static string Braced(string inner, Func<string, string?> lookup, char escape)
    {
        var k = 0;
        while (k < inner.Length && (char.IsAsciiLetterOrDigit(inner[k]) || inner[k] == '_')) k++;
        var name = inner[..k];
        var value = lookup(name);
        if (k == inner.Length) return value ?? "";
        var op = inner[k..];
        if (op.StartsWith(":-", StringComparison.Ordinal)) return string.IsNullOrEmpty(value) ? Expand(op[2..], lookup, escape) : value;
        if (op.StartsWith(":+", StringComparison.Ordinal)) return string.IsNullOrEmpty(value) ? "" : Expand(op[2..], lookup, escape);
        if (op.StartsWith('-')) return value ?? Expand(op[1..], lookup, escape);
        if (op.StartsWith('+')) return value is null ? "" : Expand(op[1..], lookup, escape);
        throw new InvalidArgumentException($"unsupported modifier ({op}) in substitution ${{{inner}}}");
    }
}
