namespace GitOps.Runtime.Storage;

/// <summary>Paths inside a container, cleaned as Go's path.Clean does (Docker compares destinations that way).</summary>
internal static class ContainerPath
{
    public static string Clean(string path)
    {
        var absolute = path.StartsWith('/');
        var parts = new List<string>();
        foreach (var p in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".") continue;
            if (p == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..") parts.RemoveAt(parts.Count - 1);
                else if (!absolute) parts.Add("..");
                continue;
            }
            parts.Add(p);
        }
        var joined = string.Join('/', parts);
        return absolute ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>A relative path that stays inside its parent: no "..", not empty.</summary>
    public static bool IsContainedRelative(string path) =>
        path.Length > 0 && !path.StartsWith('/') && path.Split('/', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts &&
        parts.All(p => p != "..");

    public static int Depth(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Whether <paramref name="path"/> is <paramref name="dir"/> or below it.</summary>
    public static bool IsWithin(string path, string dir) =>
        path == dir || path.StartsWith(dir.TrimEnd('/') + "/", StringComparison.Ordinal);
}
