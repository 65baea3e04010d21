using System.Text.RegularExpressions;
using GitOps.Runtime.Images;

namespace GitOps.Reconciler.Policy;

/// <summary>Matching shared by the policy's allow-lists: host path prefixes and image patterns.</summary>
internal static class Rules
{
    /// <summary>True when <paramref name="path"/> is <paramref name="prefix"/> or lies under it, component by component, after normalising both.</summary>
    public static bool PathCovers(string prefix, string path)
    {
        var p = Normalize(prefix);
        var x = Normalize(path);
        if (p == "/") return x.StartsWith('/');
        return x == p || x.StartsWith(p + "/", StringComparison.Ordinal);
    }

    /// <summary>An absolute path with "." and ".." collapsed and no trailing slash (lexically: the host's symlinks are not followed).</summary>
    public static string Normalize(string path)
    {
        var full = System.IO.Path.GetFullPath(path.Length == 0 ? "/" : path, "/");
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    /// <summary>
    /// Matches an image against a pattern the way Argo CD matches source repositories: <c>*</c> stands for any
    /// characters. Both sides are normalised as Docker names them, so "busybox" is docker.io/library/busybox:latest;
    /// a pattern without a tag or digest matches every tag and digest of the repository.
    /// </summary>
    public static bool ImageMatches(string pattern, string image)
    {
        if (pattern == SecurityPolicy.Any) return true;
        if (!ImageReference.TryParse(image, out var reference, out _) || reference is null) return false;
        var full = reference.ToString();
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            if (!ImageReference.TryParse(pattern, out var wanted, out _) || wanted is null) return false;
            var explicitTag = pattern[(pattern.LastIndexOf('/') + 1)..].Contains(':', StringComparison.Ordinal);
            return wanted.Repository == reference.Repository
                && (!explicitTag || wanted.Tag == reference.Tag)
                && (wanted.Digest is null || wanted.Digest == reference.Digest);
        }
        var regex = new Regex("^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return regex.IsMatch(full) || regex.IsMatch(reference.Repository);
    }
}
