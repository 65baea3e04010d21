using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Images.Build;

/// <summary>
/// Resolves a path inside a root directory the way the kernel would after chroot(root): symlinks
/// (absolute ones too) and ".." never lead outside the root. Used for every path a COPY reads from
/// a build context or stage and writes into an image, so a hostile symlink cannot reach the host.
/// </summary>
internal static class RootPath
{
    public static string Resolve(string root, string path, bool followLast = true)
    {
        var pending = new LinkedList<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = new List<string>();
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.First!.Value;
            pending.RemoveFirst();
            if (part == ".") continue;
            if (part == "..") { if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1); continue; }
            var candidate = Join(root, resolved) + "/" + part;
            if ((pending.Count > 0 || followLast) && Sys.TryLstat(candidate, out var st, out _) && st.IsSymlink)
            {
                if (++hops > 255) throw new InvalidArgumentException($"too many levels of symbolic links in {path}");
                var target = Sys.ReadLink(candidate);
                if (target.StartsWith('/')) resolved.Clear();
                var parts = target.Split('/', StringSplitOptions.RemoveEmptyEntries);
                for (var i = parts.Length - 1; i >= 0; i--) pending.AddFirst(parts[i]);
                continue;
            }
            resolved.Add(part);
        }
        return Join(root, resolved);
    }

    static string Join(string root, List<string> parts) =>
        parts.Count == 0 ? root.TrimEnd('/') : root.TrimEnd('/') + "/" + string.Join('/', parts);

    /// <summary>Whether a context-relative source path stays inside the context ("../x" does not).</summary>
    public static bool StaysInside(string relative)
    {
        var depth = 0;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            depth += part == ".." ? -1 : 1;
            if (depth < 0) return false;
        }
        return true;
    }
}
