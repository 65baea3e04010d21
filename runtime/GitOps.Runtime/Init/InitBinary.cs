using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Init;

/// <summary>
/// The program started as container-init. Either the small embedded helper, held in a sealed
/// memfd (nothing on disk to overwrite, as in CVE-2019-5736, and no file to ship beside gitops),
/// or this binary itself with the container-init argument.
/// </summary>
public sealed class InitBinary : IDisposable
{
    /// <summary>The descriptor number the memfd gets in the spawned process, and hence its path.</summary>
    public const int HelperFd = 6;

    InitBinary(string path, IReadOnlyList<string> argv, SafeFd? fd)
    {
        SpawnPath = path;
        Argv = argv;
        Fd = fd;
    }

    public string SpawnPath { get; }
    public IReadOnlyList<string> Argv { get; }
    /// <summary>The memfd, to be placed at <see cref="HelperFd"/> in the child.</summary>
    public SafeFd? Fd { get; }

    public static InitBinary FromSelf(string executable) => new(executable, ["gitops", ContainerInit.Command], null);

    public static InitBinary FromImage(Stream elf)
    {
        var fd = Sys.MemfdCreate("gitops-init");
        using (var s = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd.DangerousGetHandle(), ownsHandle: false), FileAccess.Write))
            elf.CopyTo(s);
        Sys.SealMemfd(fd);
        // posix_spawn closes every descriptor above the mapped ones before exec, so the child reaches
        // the image through the number it was given, not the daemon's.
        return new InitBinary($"/proc/self/fd/{HelperFd}", ["gitops-init"], fd);
    }

    public void Dispose() => Fd?.Dispose();
}
