namespace GitOps.Reconciler.Policy;

/// <summary>Host paths as the policy sees them: lexically normalised, and also with the host's symlinks followed.</summary>
internal static class HostPaths
{
    const int MaxLinks = 40;

    /// <summary>"~/x" is the daemon's home (root's), as Compose expands it for the user who runs it.</summary>
    public static string Expand(string path) =>
        path.StartsWith('~') ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/')) : path;

    /// <summary>
    /// Why <paramref name="host"/> may not be used (read-only when <paramref name="readOnly"/>), or null when the policy
    /// allows it. Both the path as written and the path its symlinks lead to must be allowed: "/srv/data/x" is not
    /// an allowed path when x is a link to /etc.
    /// </summary>
    public static string? Refusal(SecurityPolicy policy, string host, bool readOnly)
    {
        var lexical = Rules.Normalize(host);
        var real = RealPath(lexical);
        foreach (var p in real == lexical ? [lexical] : new[] { lexical, real })
        {
            if (policy.HostPathRule(p, readOnly) is not null) continue;
            var via = p == lexical ? "" : $" (it resolves to {p})";
            var readOnlyRule = policy.AllowedHostPaths.FirstOrDefault(r => r.Covers(p) && r.ReadOnly);
            return readOnlyRule is not null
                ? $"must be mounted read-only{via} (allowed host paths: {PolicyText.List(policy.AllowedHostPaths)})"
                : $"not allowed{via} (allowed host paths: {PolicyText.List(policy.AllowedHostPaths)})";
        }
        return null;
    }

    /// <summary>The path with every existing symlink component followed (as realpath(3), but a missing tail is kept).</summary>
    public static string RealPath(string path)
    {
        var pending = new Queue<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var current = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var c = pending.Dequeue();
            if (c == ".") continue;
            if (c == "..") { if (current.Count > 0) current.RemoveAt(current.Count - 1); continue; }
            var candidate = "/" + string.Join('/', current.Append(c));
            string? target = null;
            try { target = new FileInfo(candidate).LinkTarget; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            if (target is null || ++links > MaxLinks) { current.Add(c); continue; }
            var rest = pending.ToList();
            pending.Clear();
            if (target.StartsWith('/')) current.Clear();
            foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest)) pending.Enqueue(part);
        }
        return "/" + string.Join('/', current);
    }
}
