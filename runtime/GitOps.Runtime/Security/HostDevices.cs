using GitOps.Runtime.Containers;
using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Security;

/// <summary>
/// Host device nodes for --device and --privileged, looked up as runc's (moby/sys/devices) code
/// does: lstat of the path, character and block devices only, a directory taken recursively.
/// </summary>
public static class HostDevices
{
    /// <summary>
    /// docker run --device's parsing: HOST[:CONTAINER][:PERMISSIONS], where a second part made only
    /// of r, w and m is the permissions; the container path defaults to the host path.
    /// </summary>
    public static DeviceMapping Parse(string spec)
    {
        var parts = spec.Split(':');
        var mapping = parts.Length switch
        {
            1 => new DeviceMapping { PathOnHost = parts[0] },
            2 when IsPermissions(parts[1]) => new DeviceMapping { PathOnHost = parts[0], CgroupPermissions = parts[1] },
            2 => new DeviceMapping { PathOnHost = parts[0], PathInContainer = parts[1] },
            3 => new DeviceMapping { PathOnHost = parts[0], PathInContainer = parts[1], CgroupPermissions = parts[2] },
            _ => throw new InvalidArgumentException($"invalid device specification: {spec} (expected HOST[:CONTAINER][:PERMISSIONS])"),
        };
        if (mapping.PathOnHost.Length == 0) throw new InvalidArgumentException($"invalid device specification: {spec}: no host path");
        return mapping;
    }

    /// <summary>Docker's validDeviceMode: a non-empty combination of r, w and m, each at most once.</summary>
    public static bool IsPermissions(string mode) =>
        mode.Length is > 0 and <= 3 && mode.All(c => c is 'r' or 'w' or 'm') && mode.Distinct().Count() == mode.Length;

    /// <summary>
    /// The device nodes one --device mapping stands for (several for a directory such as /dev/dri),
    /// with the container path each gets. Errors are 400s naming the device, as Docker's
    /// "error gathering device information while adding custom device".
    /// </summary>
    public static IReadOnlyList<DeviceSpec> Resolve(DeviceMapping m)
    {
        var host = m.PathOnHost;
        var inContainer = m.PathInContainer is { Length: > 0 } c ? c : host;
        var perms = m.CgroupPermissions is { Length: > 0 } p ? p : "rwm";
        InvalidArgumentException Fail(string why) => new($"error gathering device information while adding custom device \"{host}\": {why}");
        if (!host.StartsWith('/')) throw Fail("the host path must be absolute");
        if (!inContainer.StartsWith('/')) throw Fail($"the container path \"{inContainer}\" must be absolute");
        if (Storage.ContainerPath.Clean(inContainer) is "/" or "/dev") throw Fail($"\"{inContainer}\" cannot be a device");
        if (!IsPermissions(perms)) throw Fail($"invalid permissions \"{perms}\" (a combination of r, w and m)");
        if (!Sys.TryLstat(host, out var st, out var errno)) throw Fail(ErrnoException.Describe(errno).ToLowerInvariant());
        if (st.IsDirectory)
        {
            // Every device below the directory, at the same place below the container path.
            var found = Walk(host, perms).Select(d => d with { Path = inContainer.TrimEnd('/') + d.Path[host.TrimEnd('/').Length..] }).ToList();
            return found.Count > 0 ? found : throw Fail("the directory holds no device");
        }
        return FromStat(inContainer, st, perms) is { } dev ? [dev] : throw Fail("not a device node");
    }

    /// <summary>Every device under /dev, as --privileged makes them (runc's HostDevices: not pts, shm, mqueue, fd or the console).</summary>
    public static IReadOnlyList<DeviceSpec> All() => Walk("/dev", "rwm").Where(d => d.Path != "/dev/ptmx").ToList();

    static IEnumerable<DeviceSpec> Walk(string dir, string perms)
    {
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal).ToList(); }
        catch (IOException) { yield break; }
        catch (UnauthorizedAccessException) { yield break; }
        foreach (var path in entries)
        {
            var name = Path.GetFileName(path);
            if (!Sys.TryLstat(path, out var st, out _)) continue; // vanished meanwhile
            if (st.IsDirectory)
            {
                if (name is "pts" or "shm" or "fd" or "mqueue" or ".lxc" or ".lxd-mounts" or ".udev") continue;
                foreach (var d in Walk(path, perms)) yield return d;
                continue;
            }
            if (name == "console") continue;
            if (FromStat(path, st, perms) is { } dev) yield return dev;
        }
    }

    static DeviceSpec? FromStat(string path, FileStat st, string perms) => st.Type switch
    {
        FileStat.S_IFCHR => new DeviceSpec(path, 'c', st.RdevMajor, st.RdevMinor, st.Permissions, st.Uid, st.Gid, perms),
        FileStat.S_IFBLK => new DeviceSpec(path, 'b', st.RdevMajor, st.RdevMinor, st.Permissions, st.Uid, st.Gid, perms),
        _ => null,
    };

    /// <summary>The v1 devices.allow line of one device ("c 10:229 rwm").</summary>
    public static string CgroupRule(DeviceSpec d) => $"{d.Type} {d.Major}:{d.Minor} {d.Permissions}";
}
