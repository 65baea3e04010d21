using System.Globalization;
using System.Text;

namespace GitOps.Reconciler.Rollouts.Analysis.Expressions;

/// <summary>
/// Splits an expression into tokens: numbers (<c>0.95</c>, <c>1e3</c>, <c>0x1F</c>, <c>1_000</c>), single- or
/// double-quoted strings with backslash escapes, identifiers, and the operators of expr-lang that Argo
/// Rollouts' conditions use.
/// </summary>
internal static class Lexer
{
    // Longest first, so "==" is not read as "=" "=".
    private static readonly string[] Operators =
    [
        "**", "==", "!=", "<=", ">=", "&&", "||", "??",
        "+", "-", "*", "/", "%", "<", ">", "!", "(", ")", "[", "]", ",", ".", "?", ":",
    ];

    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }
            if (c is '"' or '\'')
            {
                tokens.Add(ReadString(text, ref i));
                continue;
            }
            if (char.IsAsciiLetter(c) || c is '_' or '$')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '$')) i++;
                tokens.Add(new Token(TokenKind.Identifier, text[start..i], 0, start));
                continue;
            }
            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0);
            if (op is null) throw new ExpressionException($"unexpected character '{c}'", i);
            tokens.Add(new Token(TokenKind.Operator, op, 0, i));
            i += op.Length;
        }
        tokens.Add(new Token(TokenKind.End, "", 0, text.Length));
        return tokens;
    }

    private static Token ReadNumber(string text, ref int i)
    {
        var start = i;
        if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X')
        {
            i += 2;
            var hexStart = i;
            while (i < text.Length && (char.IsAsciiHexDigit(text[i]) || text[i] == '_')) i++;
            if (!long.TryParse(text[hexStart..i].Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
                throw new ExpressionException($"invalid hexadecimal number '{text[start..i]}'", start);
            return new Token(TokenKind.Number, text[start..i], hex, start);
        }
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '_')) i++;
        // "result[0].x" never reaches here; "1.5" and "1." are numbers, "1.e" is not a member access on a number.
        if (i < text.Length && text[i] == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
        {
            i++;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '_')) i++;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var save = i;
            i++;
            if (i < text.Length && text[i] is '+' or '-') i++;
            if (i < text.Length && char.IsAsciiDigit(text[i]))
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            else i = save;
        }
        var raw = text[start..i];
        if (raw.EndsWith('_') || raw.Contains("__", StringComparison.Ordinal) || !double.TryParse(raw.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            throw new ExpressionException($"invalid number '{raw}'", start);
        return new Token(TokenKind.Number, raw, value, start);
    }

    private static Token ReadString(string text, ref int i)
    {
        var quote = text[i];
        var start = i;
        i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= text.Length) throw new ExpressionException("unterminated string", start);
            var c = text[i++];
            if (c == quote) break;
            if (c != '\\') { sb.Append(c); continue; }
            if (i >= text.Length) throw new ExpressionException("unterminated string", start);
            var e = text[i++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '\\' or '\'' or '"': sb.Append(e); break;
                case 'u':
                    if (i + 4 > text.Length || !int.TryParse(text.AsSpan(i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        throw new ExpressionException("invalid \\u escape", i - 2);
                    sb.Append((char)code);
                    i += 4;
                    break;
                default: throw new ExpressionException($"invalid escape '\\{e}'", i - 2);
            }
        }
        return new Token(TokenKind.String, sb.ToString(), 0, start);
    }
}
