using GitOps.Reconciler.Apps;

namespace GitOps.Reconciler.Sources;

/// <summary>
/// How a mirror runs ssh. libgit2 here is built with "exec" ssh: it starts the system's ssh client, taking the
/// program from the repository's core.sshCommand. This libgit2 runs that value as a program path (no shell, no
/// arguments; newer releases run it through /bin/sh), so the options go into a small script in the mirror,
/// which works with either behaviour. BatchMode stops ssh from ever prompting (a daemon has no terminal), and
/// host keys are checked strictly: an unknown host is an error, never a silent trust-on-first-use.
/// </summary>
internal static class SshCommand
{
    public const string ScriptName = "gitops-ssh";

    public static string Script(string program, SourceAuth? auth)
    {
        var parts = new List<string> { Quote(program), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=30" };
        if (auth?.SshKeyFile is { } key) parts.AddRange(["-i", Quote(key), "-o", "IdentitiesOnly=yes"]);
        if (auth?.SshKnownHostsFile is { } knownHosts) parts.AddRange(["-o", Quote("UserKnownHostsFile=" + knownHosts)]);
        return "#!/bin/sh\n# Written by gitops for this mirror's fetches; rewritten when the app's ssh settings change.\nexec " + string.Join(' ', parts) + " \"$@\"\n";
    }

    /// <summary>Writes the script into <paramref name="mirrorPath"/> (only when it changed) and returns its path.</summary>
    public static string Install(string mirrorPath, string program, SourceAuth? auth)
    {
        var path = Path.Combine(mirrorPath, ScriptName);
        var text = Script(program, auth);
        if (!File.Exists(path) || File.ReadAllText(path) != text)
        {
            GitOps.Runtime.State.AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(text),
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, syncDirectory: false);
        }
        return path;
    }

    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
