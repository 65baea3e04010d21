using System.Text;

namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// Argo Rollouts' <c>{{args.NAME}}</c> substitution (fasttemplate with "{{" and "}}", the tag trimmed): every tag
/// must name a supplied argument, otherwise "failed to resolve {{tag}}".
/// </summary>
internal static class Placeholders
{
    public static bool Contains(string? text) => text is not null && text.Contains("{{", StringComparison.Ordinal);

    /// <summary>The argument names a text refers to ("args.x" tags), and tags that are not arguments at all.</summary>
    public static IEnumerable<(string Tag, string? Arg)> Tags(string? text)
    {
        if (text is null) yield break;
        var i = 0;
        while ((i = text.IndexOf("{{", i, StringComparison.Ordinal)) >= 0)
        {
            var end = text.IndexOf("}}", i + 2, StringComparison.Ordinal);
            if (end < 0) yield break;
            var tag = text[(i + 2)..end].Trim();
            yield return (tag, tag.StartsWith("args.", StringComparison.Ordinal) ? tag[5..] : null);
            i = end + 2;
        }
    }

    public static string? Resolve(string? text, IReadOnlyDictionary<string, string> args, List<string> errors)
    {
        if (!Contains(text)) return text;
        var sb = new StringBuilder();
        var i = 0;
        while (true)
        {
            var start = text!.IndexOf("{{", i, StringComparison.Ordinal);
            var end = start < 0 ? -1 : text.IndexOf("}}", start + 2, StringComparison.Ordinal);
            if (start < 0 || end < 0)
            {
                sb.Append(text, i, text.Length - i);
                return sb.ToString();
            }
            sb.Append(text, i, start - i);
            var tag = text[(start + 2)..end];
            var trimmed = tag.Trim();
            if (trimmed.StartsWith("args.", StringComparison.Ordinal) && args.TryGetValue(trimmed[5..], out var value)) sb.Append(value);
            else errors.Add("failed to resolve {{" + tag + "}}");
            i = end + 2;
        }
    }
}
