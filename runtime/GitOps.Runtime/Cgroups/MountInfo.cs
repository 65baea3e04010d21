namespace GitOps.Runtime.Cgroups;

/// <summary>One line of /proc/PID/mountinfo (proc(5)).</summary>
public sealed record MountInfo(string Root, string MountPoint, string Options, string FsType, string Source, string SuperOptions)
{
    public static IReadOnlyList<MountInfo> Parse(string text)
    {
        var result = new List<MountInfo>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            var left = line[..dash].Split(' ');
            var right = line[(dash + 3)..].Split(' ');
            if (left.Length < 6 || right.Length < 3) continue;
            result.Add(new MountInfo(Unescape(left[3]), Unescape(left[4]), left[5], right[0], Unescape(right[1]), right[2]));
        }
        return result;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && char.IsAsciiDigit(s[i + 1]))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
