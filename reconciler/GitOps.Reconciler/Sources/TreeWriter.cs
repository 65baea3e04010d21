using LibGit2Sharp;

namespace GitOps.Reconciler.Sources;

/// <summary>
/// Writes a commit's tree as plain files (no .git, no index): regular files with their executable bit,
/// symlinks as symlinks, submodules as empty directories (their content lives in another repository).
/// Entry names that could step outside the target (".", "..", ".git", anything with a slash) are refused:
/// libgit2 reads trees as they are stored, and a crafted tree may hold such names.
/// </summary>
internal static class TreeWriter
{
    private const UnixFileMode Regular = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Executable = Regular | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <param name="leaveOut">Paths relative to the tree's root ("compose/db.txt") that are not written: a revision's
    /// secret files, which the daemon keeps in memory (and sealed in the engine) only.</param>
    public static void Write(Tree tree, string directory, IReadOnlySet<string>? leaveOut = null)
    {
        Directory.CreateDirectory(directory);
        foreach (var entry in tree)
        {
            if (!SafeName(entry.Name))
                throw new InvalidDataException($"tree entry '{entry.Path}' has a name that cannot be written safely");
            if (leaveOut is { Count: > 0 } && leaveOut.Contains(entry.Path.Replace('\\', '/'))) continue;
            var path = Path.Combine(directory, entry.Name);
            switch (entry.Mode)
            {
                case Mode.Directory:
                    Write((Tree)entry.Target, path, leaveOut);
                    break;
                case Mode.SymbolicLink:
                {
                    // A link's blob holds its target. It is written as is: a link out of the tree points at the
                    // host, as it would in `git checkout`; the loaders read manifests through it like Git users do.
                    var target = ((Blob)entry.Target).GetContentText();
                    File.CreateSymbolicLink(path, target);
                    break;
                }
                case Mode.GitLink:
                    Directory.CreateDirectory(path);
                    break;
                default:
                {
                    var blob = (Blob)entry.Target;
                    var mode = entry.Mode == Mode.ExecutableFile ? Executable : Regular;
                    using (var input = blob.GetContentStream())
                    using (var output = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
                        input.CopyTo(output);
                    // The create mode is filtered by the umask; the executable bit must survive any umask.
                    File.SetUnixFileMode(path, mode);
                    break;
                }
            }
        }
    }

    private static bool SafeName(string name) =>
        name.Length > 0 && name != "." && name != ".." && !name.Equals(".git", StringComparison.OrdinalIgnoreCase)
        && name.IndexOf('/') < 0 && name.IndexOf('\0') < 0;
}
