namespace GitOps.Runtime.Init;

public sealed record ExecUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string Home);

/// <summary>
/// Resolves "user", "uid", "user:group" or "uid:gid" against the container's /etc/passwd and
/// /etc/group, as runc's user.GetExecUser does: numeric IDs need no entry (gid then defaults to 0,
/// home to "/"), names must exist, and supplementary groups come from /etc/group membership. The
/// primary group is always among the supplementary ones (the fix of CVE-2023-25173 in containerd
/// and moby): otherwise a process could shed it and escape a "deny this group" permission.
/// </summary>
public static class UserResolver
{
    public static ExecUser Resolve(string spec, string passwdPath = "/etc/passwd", string groupPath = "/etc/group")
    {
        var passwd = ReadLines(passwdPath).Select(l => l.Split(':')).Where(f => f.Length >= 7).ToList();
        var groups = ReadLines(groupPath).Select(l => l.Split(':')).Where(f => f.Length >= 4).ToList();

        var colon = spec.IndexOf(':');
        var userPart = colon < 0 ? spec : spec[..colon];
        var groupPart = colon < 0 ? null : spec[(colon + 1)..];

        uint uid = 0, gid = 0;
        var home = "/";
        string? userName = null;
        if (userPart.Length == 0)
        {
            var rootEntry = passwd.FirstOrDefault(f => f[2] == "0");
            if (rootEntry is not null) { userName = rootEntry[0]; gid = uint.Parse(rootEntry[3]); home = rootEntry[5]; }
            else home = "/root";
        }
        else
        {
            var byName = passwd.FirstOrDefault(f => f[0] == userPart);
            if (byName is null && uint.TryParse(userPart, out var n)) byName = passwd.FirstOrDefault(f => f[2] == userPart);
            if (byName is not null)
            {
                userName = byName[0];
                uid = uint.Parse(byName[2]);
                gid = uint.Parse(byName[3]);
                home = byName[5];
            }
            else if (uint.TryParse(userPart, out var numeric)) uid = numeric;
            else throw new InitException($"unable to find user {userPart}: no matching entries in passwd file", 126);
        }

        if (groupPart is { Length: > 0 })
        {
            var g = groups.FirstOrDefault(f => f[0] == groupPart) ?? (uint.TryParse(groupPart, out _) ? groups.FirstOrDefault(f => f[2] == groupPart) : null);
            if (g is not null) gid = uint.Parse(g[2]);
            else if (uint.TryParse(groupPart, out var numericGid)) gid = numericGid;
            else throw new InitException($"unable to find group {groupPart}: no matching entries in group file", 126);
        }

        var additional = new List<uint> { gid };
        if (userName is not null && groupPart is null)
        {
            foreach (var g in groups)
                if (g[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(userName) && uint.TryParse(g[2], out var id) && !additional.Contains(id))
                    additional.Add(id);
        }
        return new ExecUser(uid, gid, additional, home.Length == 0 ? "/" : home);
    }

    static IEnumerable<string> ReadLines(string path)
    {
        try { return File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')); }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }
}

/// <summary>A failure inside the container init, with the exit code a shell would give (126, 127).</summary>
public sealed class InitException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>exec.LookPath inside the container: the command in $PATH, or the path itself when it has a slash.</summary>
public static class PathLookup
{
    public static string Resolve(string command, IReadOnlyList<string> env)
    {
        if (command.Length == 0) throw new InitException("exec: \"\": executable file not found in $PATH", 127);
        if (command.Contains('/'))
        {
            if (!Linux.Sys.TryLstat(command, out _, out _) && !File.Exists(command))
                throw new InitException($"exec: \"{command}\": stat {command}: no such file or directory", 127);
            if (Directory.Exists(command)) throw new InitException($"exec: \"{command}\": is a directory", 126);
            return command;
        }
        var path = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? Defaults.Path;
        foreach (var dir in path.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, command);
            if (File.Exists(candidate) && IsExecutable(candidate)) return candidate;
        }
        throw new InitException($"exec: \"{command}\": executable file not found in $PATH", 127);
    }

    static bool IsExecutable(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
