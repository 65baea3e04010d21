namespace GitOps.Reconciler.Policy;

/// <summary>
/// Resolves paths inside a revision's tree the way <c>openat2(RESOLVE_BENEATH)</c> does: component by component,
/// following symlinks only while they stay inside the tree, and refusing the first step out ("..", an absolute
/// link, a relative link that climbs out) with the reason. Lexical checks alone are not enough: a committed
/// symlink <c>conf -> /etc</c> makes "conf/passwd" look inside the tree while it names the host's file.
/// </summary>
internal sealed class TreeRoot
{
    const int MaxLinks = 40; // Linux's ELOOP limit

    public TreeRoot(string root) => Root = Rules.Normalize(Path.GetFullPath(root));

    /// <summary>The tree's directory, absolute, without a trailing slash.</summary>
    public string Root { get; }

    /// <summary>True when <paramref name="fullPath"/> is the root or lies under it, lexically.</summary>
    public bool Contains(string fullPath)
    {
        var p = Rules.Normalize(fullPath);
        return p == Root || p.StartsWith(Root + "/", StringComparison.Ordinal);
    }

    /// <summary>
    /// Resolves <paramref name="path"/> (relative to <paramref name="baseDir"/>, which must lie in the tree, or an absolute
    /// path in the tree). On success <paramref name="resolved"/> is an absolute path with no symlink in it (the last
    /// components may not exist); otherwise <paramref name="error"/> says how it leaves the tree.
    /// </summary>
    public bool TryResolve(string path, string baseDir, out string resolved, out string? error)
    {
        resolved = "";
        error = null;
        var start = Path.IsPathRooted(path) ? path : Path.Combine(baseDir, path);
        if (!Path.IsPathRooted(path) && !Contains(baseDir))
        {
            error = $"its base directory {baseDir} is outside the revision's tree";
            return false;
        }
        if (Path.IsPathRooted(path) && !Contains(path))
        {
            error = "it is outside the revision's tree";
            return false;
        }
        // The base directory is ours (already resolved); only what the manifest wrote is walked.
        var current = new List<string>();
        var pending = new LinkedList<string>();
        if (Path.IsPathRooted(path))
            foreach (var c in Split(Path.GetRelativePath(Root, Rules.Normalize(start)))) pending.AddLast(c);
        else
        {
            current.AddRange(Split(Path.GetRelativePath(Root, Rules.Normalize(baseDir))));
            foreach (var c in Split(path)) pending.AddLast(c);
        }
        var links = 0;
        while (pending.First is { } node)
        {
            var c = node.Value;
            pending.RemoveFirst();
            if (c is "" or ".") continue;
            if (c == "..")
            {
                if (current.Count == 0)
                {
                    error = "'..' leaves the revision's tree";
                    return false;
                }
                current.RemoveAt(current.Count - 1);
                continue;
            }
            var candidate = Join(current, c);
            var target = LinkTarget(candidate);
            if (target is null)
            {
                current.Add(c);
                continue;
            }
            if (++links > MaxLinks)
            {
                error = "too many levels of symbolic links";
                return false;
            }
            var shown = Path.GetRelativePath(Root, candidate);
            if (Path.IsPathRooted(target))
            {
                error = $"symlink {shown} -> {target} points outside the revision's tree";
                return false;
            }
            // A relative link continues from the link's directory; its own ".." are checked like any other.
            var parts = Split(target).ToList();
            var depth = current.Count;
            foreach (var part in parts)
            {
                if (part == "..") depth--;
                else if (part is not ("" or ".")) depth++;
                if (depth < 0)
                {
                    error = $"symlink {shown} -> {target} points outside the revision's tree";
                    return false;
                }
            }
            for (var i = parts.Count - 1; i >= 0; i--) pending.AddFirst(parts[i]);
        }
        resolved = current.Count == 0 ? Root : Join(current.Take(current.Count - 1).ToList(), current[^1]);
        return true;
    }

    string Join(IReadOnlyList<string> components, string last) =>
        components.Count == 0 ? Root + "/" + last : Root + "/" + string.Join('/', components) + "/" + last;

    static IEnumerable<string> Split(string path) => path == "." ? [] : path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The target of a symlink (as written in it), or null when <paramref name="path"/> is not a link or does not exist.</summary>
    static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
