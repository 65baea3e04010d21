using System.Text;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// Compose variable interpolation: <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-default}</c> (unset or empty),
/// <c>${VAR-default}</c> (unset), <c>${VAR:?message}</c>/<c>${VAR?message}</c> (required),
/// <c>${VAR:+alt}</c>/<c>${VAR+alt}</c>, nested in defaults (<c>${A:-${B:-c}}</c>), and <c>$$</c> for a literal
/// dollar. Only the branch that is taken is evaluated, so a required variable inside an unused default does
/// not fail. A <c>$</c> followed by anything else is an error, as in compose-go.
/// With <paramref name="stackDialect"/> the Docker CLI's rules for <c>docker stack deploy</c> apply instead:
/// whatever follows <c>:-</c>, <c>-</c>, <c>:?</c> or <c>?</c> up to the first <c>}</c> is taken literally (no nesting,
/// no <c>:+</c>), which is what lets stack files put a bcrypt hash (<c>$2y$05$...</c>) in a default.
/// </summary>
internal sealed class Interpolator(Func<string, string?> lookup, bool stackDialect = false)
{
    /// <summary>Expands <paramref name="text"/>; unset variables without a default become "" and are reported to <paramref name="unset"/>.</summary>
    public string Expand(string text, Action<string> unset)
    {
        if (!text.Contains('$', StringComparison.Ordinal)) return text;
        var parser = new Parser(text, lookup, unset, stackDialect);
        var result = parser.Sequence(stopAtBrace: false, active: true);
        return result;
    }

    private sealed class Parser(string text, Func<string, string?> lookup, Action<string> unset, bool stackDialect)
    {
        private int _i;

        public string Sequence(bool stopAtBrace, bool active)
        {
            var sb = new StringBuilder();
            while (_i < text.Length)
            {
                var c = text[_i];
                if (stopAtBrace && c == '}') return sb.ToString();
                if (c != '$')
                {
                    sb.Append(c);
                    _i++;
                    continue;
                }
                if (_i + 1 >= text.Length) throw Invalid();
                var next = text[_i + 1];
                if (next == '$')
                {
                    sb.Append('$');
                    _i += 2;
                }
                else if (next == '{')
                {
                    _i += 2;
                    sb.Append(Braced(active));
                }
                else if (IsNameStart(next))
                {
                    _i++;
                    var name = Name();
                    sb.Append(Value(name, active) ?? Unset(name, active));
                }
                else
                {
                    throw Invalid();
                }
            }
            if (stopAtBrace) throw Invalid();
            return sb.ToString();
        }

        private string Braced(bool active)
        {
            if (_i >= text.Length || !IsNameStart(text[_i])) throw Invalid();
            var name = Name();
            if (_i >= text.Length) throw Invalid();
            if (text[_i] == '}')
            {
                _i++;
                return Value(name, active) ?? Unset(name, active);
            }
            var colon = text[_i] == ':';
            if (colon) _i++;
            if (_i >= text.Length) throw Invalid();
            var op = text[_i];
            if (op is not ('-' or '?' or '+') || (stackDialect && op == '+')) throw Invalid();
            _i++;
            var value = Value(name, active);
            var present = colon ? !string.IsNullOrEmpty(value) : value is not null;
            if (stackDialect) return StackOperand(name, op, value, present, active);
            string result;
            switch (op)
            {
                case '-':
                {
                    var fallback = Sequence(stopAtBrace: true, active: active && !present);
                    result = present ? value! : fallback;
                    break;
                }
                case '+':
                {
                    var alternative = Sequence(stopAtBrace: true, active: active && present);
                    result = present ? alternative : "";
                    break;
                }
                default:
                {
                    var message = Sequence(stopAtBrace: true, active: active && !present);
                    if (active && !present)
                        throw new InterpolationException(message.Length > 0
                            ? $"required variable {name} is missing a value: {message}"
                            : $"required variable {name} is missing a value");
                    result = value ?? "";
                    break;
                }
            }
            _i++; // the closing brace
            return result;
        }

        private string StackOperand(string name, char op, string? value, bool present, bool active)
        {
            var close = text.IndexOf('}', _i);
            if (close < 0) throw Invalid();
            var operand = text[_i..close];
            _i = close + 1;
            if (op == '-') return present ? value! : operand;
            if (active && !present) throw new InterpolationException($"required variable {name} is missing a value: {operand}");
            return value ?? "";
        }

        private string? Value(string name, bool active) => active ? lookup(name) : "";

        private string Unset(string name, bool active)
        {
            if (active) unset(name);
            return "";
        }

        private string Name()
        {
            var start = _i;
            while (_i < text.Length && (IsNameStart(text[_i]) || char.IsAsciiDigit(text[_i]))) _i++;
            return text[start.._i];
        }

        private static bool IsNameStart(char c) => c == '_' || char.IsAsciiLetter(c);

        private InterpolationException Invalid() =>
            new($"invalid interpolation format \"{text}\": you may need to escape any $ with another $");
    }
}
