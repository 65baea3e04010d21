namespace GitOps.Runtime.Linux;

/// <summary>Fields of /proc/PID/stat (proc(5)).</summary>
public readonly record struct ProcStat(int Pid, string Comm, char State, int ParentPid, ulong UserTicks, ulong SystemTicks, ulong StartTime, long RssPages)
{
    public static ProcStat? Read(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        return Parse(text);
    }

    public static ProcStat? Parse(string text)
    {
        // comm is in parentheses and may itself contain spaces and parentheses: split at the last ')'.
        var open = text.IndexOf('(');
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open) return null;
        var rest = text[(close + 2)..].Split(' ');
        if (rest.Length < 22) return null;
        return new ProcStat(
            int.Parse(text[..open].Trim()), text[(open + 1)..close], rest[0][0], int.Parse(rest[1]),
            ulong.Parse(rest[11]), ulong.Parse(rest[12]), ulong.Parse(rest[19]), long.Parse(rest[21]));
    }

    /// <summary>True when PID is alive and is the process that started at <paramref name="startTime"/>.</summary>
    public static bool IsSameProcess(int pid, ulong startTime) =>
        Read(pid) is { } s && s.StartTime == startTime && s.State != 'Z';
}
