namespace GitOps.Reconciler.Yaml;

/// <summary>
/// Paths such as <c>services.web.ports[1]</c> or <c>metadata.labels['app.kubernetes.io/name']</c>: the same
/// notation Newtonsoft's <c>JToken.Path</c> uses, so schema errors and our own errors read alike.
/// </summary>
internal static class NodePath
{
    private static readonly char[] NeedsBrackets = ['.', ' ', '[', ']', '(', ')', '\'', '"', '/'];

    public static string Key(string parent, string key)
    {
        if (key.Length > 0 && key.IndexOfAny(NeedsBrackets) < 0)
            return parent.Length == 0 ? key : parent + "." + key;
        return parent + "['" + key.Replace("'", "\\'", StringComparison.Ordinal) + "']";
    }

    public static string Index(string parent, int index) => parent + "[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
}
