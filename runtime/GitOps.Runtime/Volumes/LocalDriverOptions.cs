using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Volumes;

/// <summary>
/// The local driver's options (`docker volume create -o type=tmpfs -o device=tmpfs -o o=size=64m`,
/// `-o type=none -o o=bind -o device=/srv/data`): a mount made on the host at the volume's mount
/// point while at least one container that uses the volume runs, as Docker does.
/// </summary>
internal static class LocalDriverOptions
{
    static readonly string[] Valid = ["type", "device", "o"];
    // Docker's mandatory companions: each option needs the ones listed.
    static readonly (string Option, string[] Needs)[] Mandatory =
        [("device", ["type"]), ("type", ["device"]), ("o", ["device", "type"])];

    public static void Validate(IReadOnlyDictionary<string, string> options, List<string> errors)
    {
        foreach (var key in options.Keys.Order(StringComparer.Ordinal))
            if (!Valid.Contains(key)) errors.Add($"invalid option key: \"{key}\"");
        foreach (var (option, needs) in Mandatory)
        {
            if (!options.ContainsKey(option)) continue;
            foreach (var need in needs)
                if (!options.ContainsKey(need)) errors.Add($"missing required option: \"{need}\"");
        }
    }

    public static bool NeedsMount(IReadOnlyDictionary<string, string> options) => options.ContainsKey("type");

    public static void Mount(IReadOnlyDictionary<string, string> options, string mountpoint)
    {
        var type = options["type"];
        var device = options["device"];
        var (flags, data) = Parse(options.GetValueOrDefault("o") ?? "");
        if ((flags & MountFlags.Bind) != 0)
        {
            Sys.Mount(device, mountpoint, null, flags & (MountFlags.Bind | MountFlags.Recursive));
            var rest = flags & ~(MountFlags.Bind | MountFlags.Recursive);
            if (rest != MountFlags.None) Sys.Mount(device, mountpoint, null, MountFlags.Bind | MountFlags.Remount | rest);
            return;
        }
        Sys.Mount(device, mountpoint, type == "none" ? null : type, flags, data.Length == 0 ? null : data);
    }

    /// <summary>mount(8)'s -o: the flags the kernel takes as bits, everything else as filesystem data.</summary>
    internal static (MountFlags Flags, string Data) Parse(string o)
    {
        var flags = MountFlags.None;
        var data = new List<string>();
        foreach (var opt in o.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (opt)
            {
                case "ro": flags |= MountFlags.ReadOnly; break;
                case "rw": flags &= ~MountFlags.ReadOnly; break;
                case "nosuid": flags |= MountFlags.NoSuid; break;
                case "suid": flags &= ~MountFlags.NoSuid; break;
                case "nodev": flags |= MountFlags.NoDev; break;
                case "dev": flags &= ~MountFlags.NoDev; break;
                case "noexec": flags |= MountFlags.NoExec; break;
                case "exec": flags &= ~MountFlags.NoExec; break;
                case "noatime": flags |= MountFlags.NoAtime; break;
                case "relatime": flags |= MountFlags.RelAtime; break;
                case "strictatime": flags |= MountFlags.StrictAtime; break;
                case "bind": flags |= MountFlags.Bind; break;
                case "rbind": flags |= MountFlags.Bind | MountFlags.Recursive; break;
                case "defaults": break;
                default: data.Add(opt); break;
            }
        }
        return (flags, string.Join(',', data));
    }
}
