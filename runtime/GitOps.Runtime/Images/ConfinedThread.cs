using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Images;

/// <summary>
/// Runs work on a fresh OS thread whose root directory is <c>root</c>. chroot(2) acts on the fs
/// struct, which unshare(CLONE_FS) makes private to the thread, so the rest of the daemon keeps the
/// host root. Inside, a hostile symlink in a layer or a "../" in a tar entry resolves within the
/// root: unpacking can never write outside the directory it fills (Docker gets the same guarantee by
/// re-executing itself into a chroot).
/// </summary>
internal static class ConfinedThread
{
    public static T Run<T>(string root, Func<T> work, string name = "confined")
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                Sys.Unshare(Sys.CLONE_FS);
                Sys.Chroot(root);
                Sys.Chdir("/");
                result = work();
            }
            catch (Exception e) { error = e; }
            // The thread ends here: its private root dies with it, so no pooled thread is ever confined.
        }, maxStackSize: 1 << 20) { Name = name, IsBackground = true };
        thread.Start();
        thread.Join();
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        return result;
    }
}
