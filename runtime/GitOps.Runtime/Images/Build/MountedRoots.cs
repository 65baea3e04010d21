using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Images.Build;

/// <summary>
/// Runs work with image filesystems mounted as overlays, on a fresh OS thread in a mount namespace
/// of its own (unshare(CLONE_FS|CLONE_NEWNS) is per thread). The mounts exist for that thread only:
/// nobody else on the host sees them, and when the thread ends the namespace and its mounts go with
/// it, even if the daemon dies halfway.
/// </summary>
internal static class MountedRoots
{
    public sealed record Overlay(string Target, IReadOnlyList<string> LowerTopFirst, string Upper, string Work);

    public static T Run<T>(IReadOnlyList<Overlay> overlays, Func<T> work)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                Sys.Unshare(Sys.CLONE_FS | (int)Namespaces.Mount);
                // Nothing mounted here may propagate back to the host's namespace.
                Sys.Mount(null, "/", null, MountFlags.Recursive | MountFlags.Private);
                foreach (var o in overlays)
                {
                    Directory.CreateDirectory(o.Target);
                    Directory.CreateDirectory(o.Upper);
                    Directory.CreateDirectory(o.Work);
                    LinuxContainerSyscalls.Instance.MountOverlay(o.Target, o.LowerTopFirst, o.Upper, o.Work);
                }
                result = work();
            }
            catch (Exception e) { error = e; }
        }, maxStackSize: 1 << 20) { Name = "build-mounts", IsBackground = true };
        thread.Start();
        thread.Join();
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        return result;
    }
}
