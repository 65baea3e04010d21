using GitOps.Reconciler.Model;
using GitOps.Reconciler.Policy;

namespace GitOps.Reconciler.Reconcile;

/// <summary>A file a revision names that would resolve outside its tree: the revision cannot be compiled.</summary>
internal sealed class PathEscapeException(string message) : InvalidOperationException(message);

/// <summary>
/// The compiler's view of the revision's files: relative paths (config files, bind sources, build contexts)
/// resolve against the application's directory and must stay inside the tree, symlinks included — the loader
/// checked them, and they are checked again where they are read, so nothing swapped in between is followed.
/// </summary>
internal sealed class TreeFiles(string? root, string? baseDirectory)
{
    readonly TreeRoot? _tree = root is null ? null : new TreeRoot(root);

    public bool HasBase => baseDirectory is not null;

    public static bool IsRelative(string path) => !System.IO.Path.IsPathRooted(path) && !path.StartsWith('~');

    /// <summary>The file to read for <paramref name="path"/>; throws <see cref="PathEscapeException"/> when it leaves the tree.</summary>
    public string Path(string path, string what)
    {
        if (!IsRelative(path) || baseDirectory is null) return path;
        if (_tree is null) return System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDirectory, path));
        if (_tree.TryResolve(path, baseDirectory, out var resolved, out var error)) return resolved;
        throw new PathEscapeException($"{what}: {path}: {error}");
    }

    /// <summary>Every relative bind source of the model (with its subPath), resolved.</summary>
    public IReadOnlyDictionary<string, string> Binds(Application model)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in model.Services.Values)
            foreach (var m in s.Template.Containers.Concat(s.Template.InitContainers).SelectMany(c => c.Mounts))
                if (m.Type == MountType.Bind && m.Source is { } src)
                {
                    var written = m.SubPath is { } sub ? System.IO.Path.Combine(src, sub) : src;
                    if (IsRelative(written) && baseDirectory is not null) result[written] = Path(written, $"bind source of {s.Name}");
                }
        return result;
    }

    /// <summary>
    /// A file's or a directory tree's content digest (names and bytes); "missing" when it is not there. Symlinks
    /// are hashed by their target text, as Git stores them, never followed: a link to /etc/shadow in a bound
    /// directory must not put a digest of the host's file into a label.
    /// </summary>
    public static string ContentDigest(string path)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        if (new FileInfo(path).LinkTarget is { } top) sha.AppendData(System.Text.Encoding.UTF8.GetBytes("link:" + top));
        else if (File.Exists(path)) sha.AppendData(File.ReadAllBytes(path));
        else if (Directory.Exists(path))
        {
            // Ordered by full path, as before links were told apart, so an unchanged tree keeps its digest.
            var entries = new List<FileSystemInfo>();
            Collect(path, entries);
            foreach (var entry in entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                var name = System.IO.Path.GetRelativePath(path, entry.FullName);
                if (entry.LinkTarget is { } link) sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\0link:" + link + "\0"));
                else
                {
                    sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\0"));
                    sha.AppendData(File.ReadAllBytes(entry.FullName));
                }
            }
        }
        else return "missing";
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    /// <summary>Regular files and symlinks under <paramref name="dir"/>, without descending through links.</summary>
    static void Collect(string dir, List<FileSystemInfo> into)
    {
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null) into.Add(entry);
            else if (entry is DirectoryInfo sub) Collect(sub.FullName, into);
            else into.Add(entry);
        }
    }
}
