namespace GitOps.Runtime.Containers;

/// <summary>Signal names as users write them (SIGTERM, TERM, 15, RTMIN+3) to numbers (x86_64/arm64 Linux).</summary>
public static class Signals
{
    static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14,
        ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21,
        ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28,
        ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    public static int Parse(string value)
    {
        var v = value.Trim();
        if (int.TryParse(v, out var n) && n is > 0 and <= 64) return n;
        if (v.StartsWith("SIG", StringComparison.OrdinalIgnoreCase)) v = v[3..];
        if (Numbers.TryGetValue(v, out n)) return n;
        if (v.StartsWith("RTMIN", StringComparison.OrdinalIgnoreCase))
        {
            var off = v.Length == 5 ? 0 : int.TryParse(v[5..], out var o) ? o : -1;
            if (off >= 0 && 34 + off <= 64) return 34 + off;
        }
        if (v.StartsWith("RTMAX", StringComparison.OrdinalIgnoreCase))
        {
            var off = v.Length == 5 ? 0 : int.TryParse(v[5..], out var o) ? o : 1;
            if (off <= 0 && 64 + off >= 34) return 64 + off;
        }
        throw new InvalidArgumentException($"invalid signal: {value}");
    }

    public static string Name(int signal) =>
        Numbers.FirstOrDefault(kv => kv.Value == signal && kv.Key is not ("IOT" or "POLL")).Key is { } k ? "SIG" + k : signal.ToString();
}
