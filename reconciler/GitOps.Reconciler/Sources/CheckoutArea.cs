namespace GitOps.Reconciler.Sources;

/// <summary>
/// Where the daemon checks revisions out: a private (0700) directory on <c>/dev/shm</c>, the tmpfs every systemd host
/// and container runtime provides, named after the daemon's root so daemons never share one. Memory-backed, so a
/// revision's secret files never reach a disk even for the moment a checkout lives; emptied at start (a crash may
/// have left a checkout). Without a usable <c>/dev/shm</c>, a directory under the root, and the log says so.
/// </summary>
internal static class CheckoutArea
{
    const string Shm = "/dev/shm";
    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string Prepare(string root, Action<string> warn)
    {
        var name = "gitops-checkouts-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(root))))[..12];
        var dir = Path.Combine(Shm, name);
        try
        {
            if (!IsTmpfs(Shm)) throw new IOException($"{Shm} is not a tmpfs");
            // Owned by root and private, or not used: another user could have planted the name first.
            var existing = new DirectoryInfo(dir);
            if (existing.Exists && (existing.LinkTarget is not null || GitOps.Runtime.Linux.Sys.Lstat(dir).Uid != 0)) throw new IOException($"{dir} exists and is not the daemon's own");
            Directory.CreateDirectory(dir, Private);
            File.SetUnixFileMode(dir, Private);
            Empty(dir);
            return dir;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or GitOps.Runtime.Linux.ErrnoException)
        {
            var fallback = Path.Combine(root, "checkouts");
            Directory.CreateDirectory(fallback, Private);
            Empty(fallback);
            warn($"checkouts go to {fallback}, on disk: {e.Message} (secret files of a revision pass through it while it is loaded)");
            return fallback;
        }
    }

    static void Empty(string dir)
    {
        foreach (var d in Directory.EnumerateDirectories(dir)) SourceCheckout.Remove(d);
        foreach (var f in Directory.EnumerateFiles(dir)) File.Delete(f);
    }

    static bool IsTmpfs(string path)
    {
        if (!Directory.Exists(path)) return false;
        foreach (var line in File.ReadLines("/proc/self/mounts"))
        {
            var parts = line.Split(' ');
            if (parts.Length > 2 && parts[1] == path) return parts[2] == "tmpfs";
        }
        return false;
    }
}
