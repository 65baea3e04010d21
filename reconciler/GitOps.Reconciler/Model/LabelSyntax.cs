namespace GitOps.Reconciler.Model;

/// <summary>
/// Kubernetes' syntax for label keys (an optional DNS-subdomain prefix and "/", then a name of at most 63
/// characters: alphanumerics, '-', '_', '.', starting and ending alphanumeric) and label values (the same
/// characters, at most 63, may be empty). Taint keys and values follow the same rules.
/// </summary>
internal static class LabelSyntax
{
    public static bool IsQualifiedName(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length is 0 or > 253 || !IsDnsSubdomain(prefix)) return false;
            key = key[(slash + 1)..];
        }
        return key.Length is > 0 and <= 63 && IsNamePart(key);
    }

    public static bool IsLabelValue(string value) => value.Length == 0 || (value.Length <= 63 && IsNamePart(value));

    private static bool IsNamePart(string s)
    {
        if (!char.IsAsciiLetterOrDigit(s[0]) || !char.IsAsciiLetterOrDigit(s[^1])) return false;
        foreach (var c in s)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')) return false;
        return true;
    }

    private static bool IsDnsSubdomain(string s)
    {
        foreach (var label in s.Split('.'))
        {
            if (label.Length is 0 or > 63) return false;
            if (!char.IsAsciiLetterLower(label[0]) && !char.IsAsciiDigit(label[0])) return false;
            if (!char.IsAsciiLetterLower(label[^1]) && !char.IsAsciiDigit(label[^1])) return false;
            foreach (var c in label)
                if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-') return false;
        }
        return true;
    }
}
