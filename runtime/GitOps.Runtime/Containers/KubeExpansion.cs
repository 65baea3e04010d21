using System.Text;

namespace GitOps.Runtime.Containers;

/// <summary>
/// Kubernetes' <c>$(VAR_NAME)</c> expansion (k8s.io/kubernetes third_party/forked/golang/expansion): a
/// reference is replaced by the variable's value when the mapping knows it and left as written otherwise;
/// <c>$$</c> is one literal <c>$</c>, so <c>$$(VAR)</c> stays <c>$(VAR)</c>; a <c>$</c> before anything else,
/// and an unclosed <c>$(</c>, are kept as they are. Used for env values (against the variables defined before
/// them) and for command and args (against the whole environment).
/// </summary>
public static class KubeExpansion
{
    /// <param name="mapping">The value of a variable, or null when it is not defined (the reference stays).</param>
    public static string Expand(string input, Func<string, string?> mapping)
    {
        if (!input.Contains('$', StringComparison.Ordinal)) return input;
        var buf = new StringBuilder(input.Length);
        var checkpoint = 0;
        for (var cursor = 0; cursor < input.Length; cursor++)
        {
            if (input[cursor] != '$' || cursor + 1 >= input.Length) continue;
            buf.Append(input, checkpoint, cursor - checkpoint);
            var (read, isVar, advance) = TryReadVariableName(input, cursor + 1);
            if (isVar) buf.Append(mapping(read) ?? "$(" + read + ")");
            else buf.Append(read);
            cursor += advance;
            checkpoint = cursor + 1;
        }
        return buf.Append(input, checkpoint, input.Length - checkpoint).ToString();
    }

    /// <summary>The names <paramref name="input"/> refers to (escaped references excluded), in order.</summary>
    public static IReadOnlyList<string> References(string input)
    {
        var names = new List<string>();
        Expand(input, name => { names.Add(name); return null; });
        return names;
    }

    /// <summary>What follows a <c>$</c> at <paramref name="start"/>: a name, an escaped <c>$</c>, or text kept as is.</summary>
    static (string Read, bool IsVar, int Advance) TryReadVariableName(string input, int start)
    {
        switch (input[start])
        {
            case '$':
                return ("$", false, 1);
            case '(':
                var close = input.IndexOf(')', start + 1);
                return close < 0 ? ("$(", false, 1) : (input[(start + 1)..close], true, close - start + 1);
            default:
                return ("$" + input[start], false, 1);
        }
    }
}
