using System.Security.Cryptography;
using System.Text;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Images.Build;

/// <summary>
/// COPY and ADD into a mounted image root, with Docker's rules: a directory source copies its
/// contents (not itself); a file goes into the destination when it ends with '/' or is an existing
/// directory, else becomes the destination; several sources (or a glob matching several) need a
/// destination ending with '/'; relative destinations start at WORKDIR; missing parents are made.
/// Files are owned by 0:0 unless --chown; modes and times are kept. ADD also unpacks local tar
/// archives (plain or gzip) into the destination.
/// </summary>
internal sealed class CopyStep
{
    public required string SourceRoot { get; init; }
    public required bool SourceIsContext { get; init; }
    public required string TargetRoot { get; init; }
    public required IReadOnlyList<string> Sources { get; init; }
    public required string Destination { get; init; }
    public required string WorkingDir { get; init; }
    public (uint Uid, uint Gid)? Owner { get; init; }
    public uint? Mode { get; init; }
    public bool IsAdd { get; init; }
    /// <summary>ADD of a URL: the downloaded file and the name it gets.</summary>
    public (string File, string Name)? Download { get; init; }

    public void Run()
    {
        var destLogical = Destination.StartsWith('/') ? Destination : (WorkingDir.Length == 0 ? "/" : WorkingDir).TrimEnd('/') + "/" + Destination;
        var dirSyntax = Destination.EndsWith('/') || Destination is "." || Destination.EndsWith("/.", StringComparison.Ordinal);
        var destPath = RootPath.Resolve(TargetRoot, destLogical);
        var destIsDir = dirSyntax || Directory.Exists(destPath);
        var (uid, gid) = Owner ?? (0, 0);

        if (Download is { } dl)
        {
            var target = destIsDir ? Path.Combine(EnsureDir(destLogical), dl.Name) : PrepareParent(destLogical);
            CopyFile(dl.File, target, 0x180 /* 0600, as Docker gives downloads */);
            return;
        }

        var matches = new List<string>();
        foreach (var source in Sources)
        {
            var found = Match(SourceRoot, source);
            if (found.Count == 0)
                throw new InvalidArgumentException(SourceIsContext
                    ? $"file not found in build context or excluded by .dockerignore: stat {source}: file does not exist"
                    : $"stat {source}: file does not exist");
            matches.AddRange(found);
        }
        if (matches.Count > 1 && !dirSyntax)
            throw new InvalidArgumentException($"When using {(IsAdd ? "ADD" : "COPY")} with more than one source file, the destination must be a directory and end with a /");

        foreach (var match in matches)
        {
            var src = RootPath.Resolve(SourceRoot, match);
            if (!Sys.TryLstat(src, out var st, out _))
                throw new InvalidArgumentException($"stat {match}: file does not exist");
            if (st.IsDirectory)
            {
                CopyTree(src, EnsureDir(destLogical), destLogical);
            }
            else if (IsAdd && SourceIsContext && IsArchive(src))
            {
                var dir = EnsureDir(destLogical);
                using var file = File.OpenRead(src);
                using var tar = ImageStore.OpenDecompressed(file);
                TarUnpacker.Unpack(tar, dir);
                if (Owner is not null) ChownTree(dir);
            }
            else
            {
                var name = Path.GetFileName(match.TrimEnd('/'));
                var target = destIsDir ? RootPath.Resolve(TargetRoot, EnsureDirLogical(destLogical) + "/" + name, followLast: false) : PrepareParent(destLogical);
                CopyEntry(src, st, target);
            }
        }

        void ChownTree(string dir)
        {
            foreach (var e in Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)) Sys.Lchown(e, uid, gid);
            Sys.Lchown(dir, uid, gid);
        }
    }

    /// <summary>The source patterns: globs (*, ?, [..]) expand per path component; plain paths must exist.</summary>
    public static List<string> Match(string root, string pattern)
    {
        var clean = pattern.Trim();
        while (clean.StartsWith("./", StringComparison.Ordinal)) clean = clean[2..];
        clean = clean.TrimStart('/');
        if (clean is "" or ".") return ["."];
        var parts = clean.TrimEnd('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var paths = new List<string> { "" };
        foreach (var part in parts)
        {
            var next = new List<string>();
            var glob = part.IndexOfAny(['*', '?', '[']) >= 0;
            foreach (var p in paths)
            {
                if (!glob)
                {
                    var candidate = p.Length == 0 ? part : p + "/" + part;
                    if (part == ".." || Sys.TryLstat(RootPath.Resolve(root, candidate), out _, out _)) next.Add(candidate);
                    continue;
                }
                var dir = RootPath.Resolve(root, p);
                if (!Directory.Exists(dir)) continue;
                var regex = DockerIgnore.Compile(part);
                foreach (var e in Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal))
                    if (regex.IsMatch(e!)) next.Add(p.Length == 0 ? e! : p + "/" + e);
            }
            paths = next;
        }
        return paths;
    }

    /// <summary>A digest of what the matched sources hold (names, types, modes, link targets, contents): the cache key's input.</summary>
    public static string HashSources(string root, IEnumerable<string> patterns)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var pattern in patterns)
        {
            hash.AppendData(Encoding.UTF8.GetBytes("\0pattern " + pattern + "\n"));
            foreach (var match in Match(root, pattern))
            {
                var full = RootPath.Resolve(root, match);
                if (!Sys.TryLstat(full, out var st, out _)) continue;
                if (st.IsDirectory)
                {
                    foreach (var e in Directory.EnumerateFileSystemEntries(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                        HashEntry(hash, Path.GetRelativePath(full, e), e);
                }
                else HashEntry(hash, match, full);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    static void HashEntry(IncrementalHash hash, string name, string path)
    {
        var st = Sys.Lstat(path);
        hash.AppendData(Encoding.UTF8.GetBytes($"{name}\0{st.Mode:x}\0"));
        if (st.IsSymlink) hash.AppendData(Encoding.UTF8.GetBytes(Sys.ReadLink(path)));
        else if (st.IsRegular)
        {
            using var f = File.OpenRead(path);
            hash.AppendData(SHA256.HashData(f));
        }
        hash.AppendData("\n"u8);
    }

    static bool IsArchive(string path)
    {
        Span<byte> head = stackalloc byte[512];
        using var f = File.OpenRead(path);
        var n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) return true;
        return n >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8);
    }

    /// <summary>Makes the logical directory (and parents) in the target root; returns its host path.</summary>
    string EnsureDir(string logical) => RootPath.Resolve(TargetRoot, EnsureDirLogical(logical));

    string EnsureDirLogical(string logical)
    {
        var parts = logical.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "";
        foreach (var part in parts)
        {
            current += "/" + part;
            var host = RootPath.Resolve(TargetRoot, current);
            if (Directory.Exists(host)) continue;
            if (Sys.TryLstat(host, out _, out _)) File.Delete(host);
            Directory.CreateDirectory(host);
            Sys.Chmod(host, 0x1ED);
            if (Owner is { } o) Sys.Lchown(host, o.Uid, o.Gid);
        }
        return current.Length == 0 ? "/" : current;
    }

    string PrepareParent(string logical)
    {
        var parent = Path.GetDirectoryName(logical.TrimEnd('/')) ?? "/";
        EnsureDirLogical(parent);
        return RootPath.Resolve(TargetRoot, logical.TrimEnd('/'), followLast: false);
    }

    void CopyTree(string srcDir, string destDir, string destLogical)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(srcDir).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(entry);
            var st = Sys.Lstat(entry);
            var logical = destLogical.TrimEnd('/') + "/" + name;
            var target = RootPath.Resolve(TargetRoot, logical, followLast: false);
            if (st.IsDirectory)
            {
                if (Sys.TryLstat(target, out var existing, out _) && !existing.IsDirectory) File.Delete(target);
                if (!Directory.Exists(target)) Directory.CreateDirectory(target);
                Own(target, st, symlink: false);
                CopyTree(entry, target, logical);
                Times(target, st);
            }
            else CopyEntry(entry, st, target);
        }
    }

    void CopyEntry(string src, FileStat st, string target)
    {
        if (Sys.TryLstat(target, out var existing, out _))
        {
            if (existing.IsDirectory) throw new InvalidArgumentException($"cannot copy to {target[TargetRoot.Length..]}: it is a directory");
            File.Delete(target);
        }
        switch (st.Type)
        {
            case FileStat.S_IFREG:
                CopyFile(src, target, st.Permissions);
                Own(target, st, symlink: false);
                break;
            case FileStat.S_IFLNK:
                Sys.Symlink(Sys.ReadLink(src), target);
                Own(target, st, symlink: true);
                break;
            case FileStat.S_IFCHR or FileStat.S_IFBLK or FileStat.S_IFIFO:
                Sys.Mknod(target, st.Mode, st.RdevMajor, st.RdevMinor);
                Own(target, st, symlink: false);
                break;
            default:
                return; // sockets are not copied
        }
        Times(target, st);
    }

    void CopyFile(string src, string target, uint mode)
    {
        using (var input = new FileStream(src, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        using (var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            input.CopyTo(output);
        var (uid, gid) = Owner ?? (0, 0);
        Sys.Lchown(target, uid, gid);
        Sys.Chmod(target, Mode ?? mode);
    }

    void Own(string path, FileStat st, bool symlink)
    {
        var (uid, gid) = Owner ?? (0, 0);
        Sys.Lchown(path, uid, gid);
        // chown clears set-id bits: the mode goes on after it.
        if (!symlink) Sys.Chmod(path, Mode ?? st.Permissions);
    }

    static void Times(string path, FileStat st) => Sys.SetTimesNoFollow(path, st.MtimeSeconds, st.MtimeNanos);
}
