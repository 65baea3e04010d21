using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.Secrets;

/// <summary>
/// --secret and --config as docker service create takes them (docker/cli opts/secret.go,
/// opts/config.go): NAME, or source=NAME,target=...,uid=...,gid=...,mode=... (mode as Go's
/// ParseUint(v, 0): 0444 octal, 292 decimal); plus key=... to pick one key of a multi-key object.
/// Errors are <see cref="FormatException"/>s with Docker's messages.
/// </summary>
public static class SecretSyntax
{
    public static SecretReference Parse(string value, SecretKind kind)
    {
        var fields = Csv.Split(value);
        if (fields.Count == 1 && !fields[0].Contains('='))
            return new SecretReference { Source = fields[0] };
        string? source = null, target = null, key = null;
        string uid = "0", gid = "0";
        uint? mode = null;
        foreach (var field in fields)
        {
            var eq = field.IndexOf('=');
            if (eq <= 0) throw new FormatException($"invalid field '{field}' must be a key=value pair");
            var (k, v) = (field[..eq].ToLowerInvariant(), field[(eq + 1)..]);
            switch (k)
            {
                case "source" or "src": source = v; break;
                case "target": target = v; break;
                case "key": key = v; break;
                case "uid": uid = v; break;
                case "gid": gid = v; break;
                case "mode":
                    mode = TryParseGoUint(v, out var m) ? m : throw new FormatException($"invalid mode specified: strconv.ParseUint: parsing \"{v}\": invalid syntax");
                    break;
                default: throw new FormatException($"invalid field in {kind.Noun()} request: {k}");
            }
        }
        if (string.IsNullOrEmpty(source)) throw new FormatException("source is required");
        return new SecretReference { Source = source, Target = target, Key = key, UID = uid, GID = gid, Mode = mode };
    }

    /// <summary>--secret-env VAR=SECRET[:KEY]: a variable set from a secret when the container starts.</summary>
    public static SecretEnv ParseEnv(string value, SecretKind kind = SecretKind.Secret)
    {
        var eq = value.IndexOf('=');
        if (eq <= 0 || eq == value.Length - 1)
            throw new FormatException($"invalid {kind.Noun()} environment variable \"{value}\": expected VAR={kind.Noun().ToUpperInvariant()}[:KEY]");
        var (name, source) = (value[..eq], value[(eq + 1)..]);
        string? key = null;
        var colon = source.IndexOf(':');
        if (colon >= 0) (source, key) = (source[..colon], source[(colon + 1)..]);
        return new SecretEnv { Name = name, Kind = kind, Source = source, Key = key };
    }

    /// <summary>Go's strconv.ParseUint(s, 0, 32): 0x hex, 0o or leading-0 octal, 0b binary, else decimal.</summary>
    public static bool TryParseGoUint(string s, out uint value)
    {
        value = 0;
        s = s.Replace("_", "");
        int radix = 10;
        var digits = s;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) (radix, digits) = (16, s[2..]);
        else if (s.StartsWith("0o", StringComparison.OrdinalIgnoreCase)) (radix, digits) = (8, s[2..]);
        else if (s.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) (radix, digits) = (2, s[2..]);
        else if (s.Length > 1 && s[0] == '0') (radix, digits) = (8, s[1..]);
        if (digits.Length == 0) return false;
        ulong acc = 0;
        foreach (var c in digits.ToLowerInvariant())
        {
            var d = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : 99;
            if (d >= radix) return false;
            acc = acc * (ulong)radix + (ulong)d;
            if (acc > uint.MaxValue) return false;
        }
        value = (uint)acc;
        return true;
    }
}
