using System.Runtime.InteropServices;
using System.Text.Json;

namespace GitOps.Runtime.Images;

/// <summary>
/// Dockerfile instructions that only change the image config (CMD, ENTRYPOINT, ENV, WORKDIR, USER,
/// LABEL, EXPOSE, VOLUME, STOPSIGNAL), as accepted by import --change and commit --change; the
/// Dockerfile builder applies the same instructions through this type.
/// </summary>
public static class ConfigChanges
{
    public static readonly string[] Supported = ["CMD", "ENTRYPOINT", "ENV", "WORKDIR", "USER", "LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL"];

    public static string HostArchitecture => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    public static ImageRuntimeConfig Apply(ImageRuntimeConfig config, IEnumerable<string> changes)
    {
        foreach (var change in changes)
        {
            var trimmed = change.Trim();
            var space = trimmed.IndexOfAny([' ', '\t']);
            if (space < 0) throw new InvalidArgumentException($"invalid change \"{change}\": expected INSTRUCTION ARGUMENTS");
            config = Apply(config, trimmed[..space].ToUpperInvariant(), trimmed[(space + 1)..].Trim());
        }
        return config;
    }

    public static ImageRuntimeConfig Apply(ImageRuntimeConfig config, string instruction, string args) => instruction switch
    {
        "CMD" => config with { Cmd = CommandForm(args, config.Shell) },
        "ENTRYPOINT" => config with { Entrypoint = CommandForm(args, config.Shell) },
        "ENV" => config with { Env = MergeEnv(config.Env ?? [], KeyValues(args, "ENV")) },
        "WORKDIR" => config with { WorkingDir = ResolveWorkdir(config.WorkingDir, args) },
        "USER" => config with { User = args },
        "LABEL" => config with { Labels = Merge(config.Labels, KeyValues(args, "LABEL")) },
        "EXPOSE" => config with { ExposedPorts = AddKeys(config.ExposedPorts, args.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(NormalizePort)) },
        "VOLUME" => config with { Volumes = AddKeys(config.Volumes, JsonOrWords(args)) },
        "STOPSIGNAL" => config with { StopSignal = args },
        _ => throw new InvalidArgumentException($"{instruction} is not a valid change; supported: {string.Join(", ", Supported)}"),
    };

    /// <summary>Exec form ["a","b"] stays as is; shell form becomes [shell..., "the text"].</summary>
    public static IReadOnlyList<string> CommandForm(string args, IReadOnlyList<string>? shell = null)
    {
        if (TryJsonArray(args, out var list)) return list;
        return [.. shell ?? ["/bin/sh", "-c"], args];
    }

    public static bool TryJsonArray(string args, out IReadOnlyList<string> list)
    {
        list = [];
        var t = args.TrimStart();
        if (!t.StartsWith('[')) return false;
        try
        {
            var parsed = JsonSerializer.Deserialize(t, State.RuntimeJson.Default.ListString);
            if (parsed is null) return false;
            list = parsed;
            return true;
        }
        catch (JsonException) { return false; }
    }

    static IEnumerable<string> JsonOrWords(string args) =>
        TryJsonArray(args, out var list) ? list : args.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);

    static string NormalizePort(string p) => p.Contains('/') ? p.ToLowerInvariant() : p + "/tcp";

    static string ResolveWorkdir(string? current, string dir) =>
        dir.StartsWith('/') ? dir : Path.Combine(string.IsNullOrEmpty(current) ? "/" : current, dir);

    /// <summary>ENV/LABEL arguments: "k=v k2=v2" (quotes allowed) or the legacy "k v" form.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> KeyValues(string args, string instruction)
    {
        var words = ShellWords.Split(args);
        if (words.Count > 0 && !words[0].Contains('='))
        {
            var sp = args.IndexOfAny([' ', '\t']);
            if (sp < 0) throw new InvalidArgumentException($"{instruction} requires KEY=VALUE");
            return [new(args[..sp], args[(sp + 1)..].Trim())];
        }
        var result = new List<KeyValuePair<string, string>>();
        foreach (var w in words)
        {
            var eq = w.IndexOf('=');
            if (eq <= 0) throw new InvalidArgumentException($"{instruction} {args}: \"{w}\" is not KEY=VALUE");
            result.Add(new(w[..eq], w[(eq + 1)..]));
        }
        return result;
    }

    public static IReadOnlyList<string> MergeEnv(IReadOnlyList<string> env, IEnumerable<KeyValuePair<string, string>> add)
    {
        // One index by name, so merging n variables into m is O(n + m), not O(n × m): a request with 40,000
        // variables must not cost the daemon 10⁹ comparisons.
        var list = env.ToList();
        var index = new Dictionary<string, int>(list.Count, StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var eq = list[i].IndexOf('=');
            index.TryAdd(eq < 0 ? list[i] : list[i][..eq], i);
        }
        foreach (var (k, v) in add)
        {
            if (index.TryGetValue(k, out var i)) list[i] = $"{k}={v}";
            else { index[k] = list.Count; list.Add($"{k}={v}"); }
        }
        return list;
    }

    static Dictionary<string, string> Merge(Dictionary<string, string>? d, IEnumerable<KeyValuePair<string, string>> add)
    {
        var r = d is null ? new Dictionary<string, string>() : new Dictionary<string, string>(d);
        foreach (var (k, v) in add) r[k] = v;
        return r;
    }

    static Dictionary<string, EmptyObject> AddKeys(Dictionary<string, EmptyObject>? d, IEnumerable<string> keys)
    {
        var r = d is null ? new Dictionary<string, EmptyObject>() : new Dictionary<string, EmptyObject>(d);
        foreach (var k in keys) r[k] = new EmptyObject();
        return r;
    }
}

/// <summary>Splits words the way a POSIX shell would for simple cases: quotes and backslashes, no expansion.</summary>
public static class ShellWords
{
    public static IReadOnlyList<string> Split(string s)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < s.Length && s[i + 1] is '"' or '\\' or '$') current.Append(s[++i]);
                else current.Append(c);
                continue;
            }
            if (c is '"' or '\'') { quote = c; inWord = true; continue; }
            if (c == '\\' && i + 1 < s.Length) { current.Append(s[++i]); inWord = true; continue; }
            if (char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(current.ToString()); current.Clear(); inWord = false; }
                continue;
            }
            current.Append(c);
            inWord = true;
        }
        if (quote != '\0') throw new InvalidArgumentException($"unterminated quote in: {s}");
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
