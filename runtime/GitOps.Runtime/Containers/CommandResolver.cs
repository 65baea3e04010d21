namespace GitOps.Runtime.Containers;

/// <summary>
/// Docker's CMD/ENTRYPOINT table. Shell forms are already [/bin/sh, -c, "text"] in the image
/// config (as Docker stores them), so a shell-form ENTRYPOINT ignores CMD simply because the shell
/// runs only its "-c" string: /bin/sh -c "exec_entry p1_entry" exec_cmd p1_cmd passes the CMD as
/// $0 $1 to a script that never reads them. Run arguments replace CMD; --entrypoint replaces the
/// image's ENTRYPOINT and also clears its CMD.
/// </summary>
public static class CommandResolver
{
    public sealed record Resolved(IReadOnlyList<string>? Entrypoint, IReadOnlyList<string>? Cmd, IReadOnlyList<string> Command);

    public static Resolved Resolve(IReadOnlyList<string>? imageEntrypoint, IReadOnlyList<string>? imageCmd,
        IReadOnlyList<string>? entrypointOverride, IReadOnlyList<string>? cmdOverride)
    {
        var entrypoint = imageEntrypoint;
        var cmd = imageCmd;
        if (entrypointOverride is not null)
        {
            // --entrypoint "" resets to none; any --entrypoint drops the image's CMD (moby daemon/create.go).
            entrypoint = entrypointOverride.Count == 1 && entrypointOverride[0] == "" ? null : entrypointOverride;
            cmd = null;
        }
        if (cmdOverride is { Count: > 0 }) cmd = cmdOverride;
        var command = new List<string>();
        if (entrypoint is not null) command.AddRange(entrypoint);
        if (cmd is not null) command.AddRange(cmd);
        if (command.Count == 0) throw new InvalidArgumentException("no command specified");
        return new Resolved(entrypoint, cmd, command);
    }
}
