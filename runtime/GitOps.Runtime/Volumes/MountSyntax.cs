namespace GitOps.Runtime.Volumes;

/// <summary>A mount request with the mode written in -v, which inspect shows as the mount's Mode.</summary>
public sealed record ParsedMount(MountRequest Request, string Mode);

/// <summary>
/// The three ways to ask for a mount on the command line, with Docker's rules and wording:
/// -v [SOURCE:]DESTINATION[:MODE] (volume/mounts/linux_parser.go), --mount KEY=VALUE,...
/// (docker/cli opts/mount.go) and --tmpfs PATH[:OPTIONS].
/// </summary>
public static class MountSyntax
{
    static readonly HashSet<string> ReadWriteModes = ["rw", "ro"];
    static readonly HashSet<string> LabelModes = ["z", "Z"];
    static readonly HashSet<string> PropagationModes = ["private", "rprivate", "shared", "rshared", "slave", "rslave"];
    static readonly HashSet<string> CopyModes = ["nocopy"];
    static readonly HashSet<string> ConsistencyModes = ["consistent", "cached", "delegated"];

    /// <summary>
    /// -v: a single path is an anonymous volume; an absolute source is a bind, anything else a
    /// volume name. Errors are added to <paramref name="errors"/> (all of them, not just the first).
    /// </summary>
    public static ParsedMount? ParseBind(string raw, List<string> errors)
    {
        var parts = raw.Split(':', 4);
        if (parts[0].Length == 0 || parts.Length > 3)
        {
            errors.Add($"invalid volume specification: '{raw}'");
            return null;
        }
        string? source = null;
        string target;
        var mode = "";
        switch (parts.Length)
        {
            case 1:
                target = parts[0];
                break;
            case 2:
                // "/foo:rw" names no source: an anonymous volume cannot take a mode.
                if (IsValidMode(parts[1]))
                {
                    errors.Add($"invalid volume specification: '{raw}'");
                    return null;
                }
                (source, target) = (parts[0], parts[1]);
                break;
            default:
                (source, target, mode) = (parts[0], parts[1], parts[2]);
                break;
        }
        var options = mode.Length == 0 ? [] : mode.Split(',');
        var bad = false;
        foreach (var o in options)
        {
            if (LabelModes.Contains(o))
            {
                errors.Add($"invalid volume specification: '{raw}': invalid mode: {o}: SELinux relabeling is not supported by this engine (no SELinux labels are applied); remove :{o}");
                bad = true;
            }
            else if (PropagationModes.Contains(o) && o is not ("private" or "rprivate"))
            {
                errors.Add($"invalid volume specification: '{raw}': invalid mode: {o}: mount propagation is always rprivate in this engine");
                bad = true;
            }
        }
        if (bad) return null;
        if (!IsValidMode(mode))
        {
            errors.Add($"invalid volume specification: '{raw}': invalid mode: {mode}");
            return null;
        }
        var isBind = source is not null && source.StartsWith('/');
        var request = new MountRequest
        {
            Type = isBind ? MountPoint.BindType : MountPoint.VolumeType,
            Source = source,
            Target = target,
            ReadOnly = options.Contains("ro"),
            // -v creates a missing host directory; --mount refuses (Docker's historical split).
            BindOptions = isBind ? new BindOptions { CreateMountpoint = true } : null,
        };
        if (options.Contains("nocopy"))
        {
            if (isBind)
            {
                errors.Add($"invalid volume specification: '{raw}': invalid mode: nocopy: binds are never filled from the image");
                return null;
            }
            request = request with { VolumeOptions = new VolumeOptions { NoCopy = true } };
        }
        return new ParsedMount(request, mode);
    }

    /// <summary>Docker's linuxValidMountMode: each option known, at most one of each kind.</summary>
    static bool IsValidMode(string mode)
    {
        if (mode.Length == 0) return true;
        int rw = 0, label = 0, propagation = 0, copy = 0, consistency = 0;
        foreach (var o in mode.Split(','))
        {
            if (ReadWriteModes.Contains(o)) rw++;
            else if (LabelModes.Contains(o)) label++;
            else if (PropagationModes.Contains(o)) propagation++;
            else if (CopyModes.Contains(o)) copy++;
            else if (ConsistencyModes.Contains(o)) consistency++;
            else return false;
        }
        return rw <= 1 && label <= 1 && propagation <= 1 && copy <= 1 && consistency <= 1;
    }

    /// <summary>--mount type=...,source=...,target=...: throws <see cref="FormatException"/> with Docker's message.</summary>
    public static MountRequest ParseMountFlag(string value)
    {
        var m = new MountRequest();
        BindOptions? bind = null;
        VolumeOptions? volume = null;
        TmpfsOptions? tmpfs = null;
        BindOptions Bind() => bind ??= new BindOptions();
        VolumeOptions Volume() => volume ??= new VolumeOptions();
        TmpfsOptions Tmpfs() => tmpfs ??= new TmpfsOptions();
        foreach (var field in Csv.Split(value))
        {
            var eq = field.IndexOf('=');
            var key = (eq < 0 ? field : field[..eq]).ToLowerInvariant();
            var val = eq < 0 ? "" : field[(eq + 1)..];
            if (eq < 0)
            {
                switch (key)
                {
                    case "readonly" or "ro": m = m with { ReadOnly = true }; continue;
                    case "volume-nocopy": Volume().NoCopy = true; continue;
                    case "bind-nonrecursive": Bind().NonRecursive = true; continue;
                    default: throw new FormatException($"invalid field '{field}' must be a key=value pair");
                }
            }
            switch (key)
            {
                case "type": m = m with { Type = val.ToLowerInvariant() }; break;
                case "source" or "src": m = m with { Source = val }; break;
                case "target" or "dst" or "destination": m = m with { Target = val }; break;
                case "readonly" or "ro": m = m with { ReadOnly = ParseBool(key, val) }; break;
                case "consistency": m = m with { Consistency = val.ToLowerInvariant() }; break;
                case "bind-propagation": Bind().Propagation = val.ToLowerInvariant(); break;
                case "bind-nonrecursive": Bind().NonRecursive = ParseBool(key, val); break;
                case "bind-create-mountpoint": Bind().CreateMountpoint = ParseBool(key, val); break;
                case "volume-nocopy": Volume().NoCopy = ParseBool(key, val); break;
                case "volume-subpath": Volume().Subpath = val; break;
                case "volume-label": SetPair(Volume().Labels ??= [], val); break;
                case "volume-driver": (Volume().DriverConfig ??= new DriverConfig()).Name = val; break;
                case "volume-opt":
                    var driver = Volume().DriverConfig ??= new DriverConfig();
                    SetPair(driver.Options ??= [], val);
                    break;
                case "tmpfs-size":
                    Tmpfs().SizeBytes = Bytes.TryParse(val, out var size) ? size : throw new FormatException($"invalid value for {key}: {val}");
                    break;
                case "tmpfs-mode":
                    Tmpfs().Mode = TryParseOctal(val, out var mode) ? mode : throw new FormatException($"invalid value for {key}: {val}");
                    break;
                default:
                    throw new FormatException($"unexpected key '{key}' in '{field}'");
            }
        }
        if (m.Type.Length == 0) throw new FormatException("type is required");
        if (m.Target.Length == 0) throw new FormatException("target is required");
        if (volume is not null && m.Type != MountPoint.VolumeType) throw new FormatException($"cannot mix 'volume-*' options with mount type '{m.Type}'");
        if (bind is not null && m.Type != MountPoint.BindType) throw new FormatException($"cannot mix 'bind-*' options with mount type '{m.Type}'");
        if (tmpfs is not null && m.Type != MountPoint.TmpfsType) throw new FormatException($"cannot mix 'tmpfs-*' options with mount type '{m.Type}'");
        return m with { BindOptions = bind, VolumeOptions = volume, TmpfsOptions = tmpfs };
    }

    /// <summary>Go's strconv.ParseBool.</summary>
    static bool ParseBool(string key, string value) => value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new FormatException($"invalid value for {key}: {value}"),
    };

    static void SetPair(Dictionary<string, string> map, string pair)
    {
        var eq = pair.IndexOf('=');
        if (eq < 0) map[pair] = "";
        else map[pair[..eq]] = pair[(eq + 1)..];
    }

    internal static bool TryParseOctal(string s, out uint value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 11) return false;
        foreach (var c in s)
        {
            if (c is < '0' or > '7') return false;
            value = value * 8 + (uint)(c - '0');
        }
        return true;
    }

    static readonly HashSet<string> TmpfsFlags = ["ro", "rw", "exec", "noexec", "nosuid", "nodev"];
    static readonly HashSet<string> TmpfsData = ["size", "mode", "nr_inodes", "nr_blocks", "uid", "gid"];

    /// <summary>
    /// --tmpfs PATH[:OPTIONS]: Docker's defaults (noexec, nosuid, nodev) with the user's options over
    /// them. Container tmpfs mounts are always nosuid and nodev here, so suid and dev are refused.
    /// </summary>
    public static MountPoint? ParseTmpfs(string path, string options, List<string> errors)
    {
        var flags = new List<string> { "noexec" };
        var data = new List<string>();
        var readOnly = false;
        var ok = true;
        foreach (var o in options.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = o.IndexOf('=');
            if (eq < 0)
            {
                if (!TmpfsFlags.Contains(o))
                {
                    errors.Add(o is "suid" or "dev"
                        ? $"invalid tmpfs option \"{o}\" for {path}: container tmpfs mounts are always nosuid and nodev"
                        : $"invalid tmpfs option \"{o}\" for {path}: expected size=, mode=, nr_inodes=, uid=, gid=, ro, rw, exec or noexec");
                    ok = false;
                    continue;
                }
                if (o == "exec") flags.Remove("noexec");
                if (o == "ro") readOnly = true;
                if (o == "rw") readOnly = false;
                continue;
            }
            var (key, value) = (o[..eq], o[(eq + 1)..]);
            var valid = key switch
            {
                "size" => IsTmpfsSize(value),
                "mode" => TryParseOctal(value, out var mode) && mode <= 0xFFF,
                "nr_inodes" or "nr_blocks" => IsTmpfsSize(value),
                "uid" or "gid" => uint.TryParse(value, out _),
                _ => false,
            };
            if (!TmpfsData.Contains(key)) errors.Add($"invalid tmpfs option \"{o}\" for {path}: unknown option {key}");
            else if (!valid) errors.Add($"invalid tmpfs option \"{o}\" for {path}: bad value for {key}");
            if (!valid) { ok = false; continue; }
            data.RemoveAll(d => d.StartsWith(key + "=", StringComparison.Ordinal));
            data.Add(o);
        }
        if (!ok) return null;
        if (readOnly) flags.Add("ro");
        return new MountPoint
        {
            Type = MountPoint.TmpfsType,
            Destination = path,
            RW = !readOnly,
            TmpfsOptions = [.. flags, .. data],
        };
    }

    /// <summary>tmpfs sizes: a number with an optional k, m, g (binary) or % suffix, as mount(8) takes them.</summary>
    static bool IsTmpfsSize(string v)
    {
        if (v.Length == 0) return false;
        var digits = v[^1] is 'k' or 'K' or 'm' or 'M' or 'g' or 'G' or '%' ? v[..^1] : v;
        return digits.Length > 0 && digits.All(char.IsAsciiDigit);
    }
}

/// <summary>Go's encoding/csv for one record: commas separate fields, double quotes protect commas.</summary>
public static class Csv
{
    public static IReadOnlyList<string> Split(string line)
    {
        var fields = new List<string>();
        var sb = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"' && sb.Length == 0) quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        if (quoted) throw new FormatException($"parse error: extraneous or missing \" in quoted-field: {line}");
        fields.Add(sb.ToString());
        return fields;
    }
}

/// <summary>Docker's RAMInBytes: 64m, 1.5g, 512k, 1024 (binary units, optional b).</summary>
public static class Bytes
{
    public static bool TryParse(string value, out long bytes)
    {
        bytes = 0;
        var v = value.Trim().ToLowerInvariant();
        if (v.EndsWith('b') && v.Length > 1 && !char.IsAsciiDigit(v[^2])) v = v[..^1];
        long multiplier = 1;
        if (v.Length > 0 && char.IsAsciiLetter(v[^1]))
        {
            multiplier = v[^1] switch { 'b' => 1, 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, 't' => 1L << 40, 'p' => 1L << 50, _ => 0 };
            if (multiplier == 0) return false;
            v = v[..^1];
        }
        if (!double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 0) return false;
        bytes = (long)(n * multiplier);
        return true;
    }
}
