using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Init;

/// <summary>
/// The filesystem calls that assemble a container root. Behind an interface so that unit tests can
/// check the exact mount sequence without root; the real sequence is proven by the end-to-end tests.
/// </summary>
public interface IContainerSyscalls
{
    void Mount(string? source, string target, string? fsType, MountFlags flags, string? data = null);
    void MountOverlay(string target, IReadOnlyList<string> lowerDirs, string upperDir, string workDir);
    void Umount(string target, int flags);
    void PivotRoot(string newRoot, string putOld);
    void Chdir(string path);
    void MakeDirectory(string path, uint mode = 0x1ED /* 0755 */);
    void MakeDevice(string path, uint mode, uint major, uint minor);
    void Symlink(string target, string path);
    /// <summary>Creates an empty file (and its parents) if nothing is at <paramref name="path"/>.</summary>
    void EnsureFile(string path);
    bool Exists(string path);
    bool IsDirectory(string path);
    /// <summary>The target of a symbolic link, or null when <paramref name="path"/> is not one (or does not exist).</summary>
    string? ReadLink(string path);
    /// <summary>Creates a new file (never through a symlink, never over an existing one) with this content, owner and mode.</summary>
    void WriteFile(string path, ReadOnlySpan<byte> data, uint uid, uint gid, uint mode);
    /// <summary>Removes a file that is not a directory.</summary>
    void Remove(string path);
    /// <summary>Changes a path's owner without following a final symlink.</summary>
    void Chown(string path, uint uid, uint gid);
}

/// <summary>The real thing.</summary>
public sealed class LinuxContainerSyscalls : IContainerSyscalls
{
    public static readonly LinuxContainerSyscalls Instance = new();

    // One page of mount options minus room for upperdir/workdir; beyond it lower layers go in one by one.
    const int MaxOverlayOptions = 3800;

    public void Mount(string? source, string target, string? fsType, MountFlags flags, string? data = null) =>
        Sys.Mount(source, target, fsType, flags, data);

    public void MountOverlay(string target, IReadOnlyList<string> lowerDirs, string upperDir, string workDir)
    {
        var options = $"lowerdir={string.Join(':', lowerDirs.Select(Escape))},upperdir={Escape(upperDir)},workdir={Escape(workDir)}";
        if (options.Length <= MaxOverlayOptions)
        {
            Sys.Mount("overlay", target, "overlay", MountFlags.None, options);
            return;
        }
        // Many layers: the new mount API appends lower layers one at a time ("lowerdir+", Linux 6.8),
        // with no limit on the total length of the option string.
        using var fs = Sys.FsOpen("overlay");
        Sys.FsConfigString(fs, "source", "overlay");
        foreach (var lower in lowerDirs) Sys.FsConfigString(fs, "lowerdir+", lower);
        Sys.FsConfigString(fs, "upperdir", upperDir);
        Sys.FsConfigString(fs, "workdir", workDir);
        Sys.FsConfigCreate(fs);
        using var mnt = Sys.FsMount(fs, 0);
        Sys.MoveMount(mnt, target);
    }

    // overlayfs splits its options on ',' and lowerdir on ':'; both are escaped with a backslash.
    static string Escape(string path) => path.Replace("\\", "\\\\").Replace(":", "\\:").Replace(",", "\\,");

    public void Umount(string target, int flags) => Sys.Umount(target, flags);
    public void PivotRoot(string newRoot, string putOld) => Sys.PivotRoot(newRoot, putOld);
    public void Chdir(string path) => Sys.Chdir(path);

    public void MakeDirectory(string path, uint mode = 0x1ED)
    {
        if (Directory.Exists(path)) return;
        Directory.CreateDirectory(path, (UnixFileMode)mode);
    }

    public void MakeDevice(string path, uint mode, uint major, uint minor)
    {
        Sys.Mknod(path, mode, major, minor);
        Sys.Chmod(path, mode & 0xFFF); // mknod's mode passes through the umask; the OCI devices are 0666
    }
    public void Symlink(string target, string path) => Sys.Symlink(target, path);

    public void EnsureFile(string path)
    {
        if (Sys.TryLstat(path, out _, out _)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Create(path).Dispose();
    }

    public bool Exists(string path) => Sys.TryLstat(path, out _, out _);
    public bool IsDirectory(string path) => Directory.Exists(path);

    public string? ReadLink(string path) =>
        Sys.TryLstat(path, out var st, out _) && st.IsSymlink ? Sys.ReadLink(path) : null;

    public void Remove(string path) => File.Delete(path);

    public void Chown(string path, uint uid, uint gid) => Sys.Lchown(path, uid, gid);

    public void WriteFile(string path, ReadOnlySpan<byte> data, uint uid, uint gid, uint mode)
    {
        using var fd = Sys.Open(path, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL | Sys.O_NOFOLLOW, 0x180 /* 0600 until chowned */);
        Sys.WriteAll(fd, data);
        // chown before chmod: chown clears set-id bits.
        Sys.Fchown(fd, uid, gid);
        Sys.Fchmod(fd, mode);
    }
}
