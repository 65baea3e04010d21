namespace GitOps.Runtime.Containers;

/// <summary>The files of one container under ROOT/containers/ID.</summary>
public sealed record ContainerFiles(string Dir, string Id)
{
    public string Config => Path.Combine(Dir, "config.json");
    public string State => Path.Combine(Dir, "state.json");
    public string Log => Path.Combine(Dir, Id + "-json.log");
    public string Hostname => Path.Combine(Dir, "hostname");
    public string Hosts => Path.Combine(Dir, "hosts");
    public string ResolvConf => Path.Combine(Dir, "resolv.conf");
    public string Upper => Path.Combine(Dir, "fs", "upper");
    public string Work => Path.Combine(Dir, "fs", "work");
    /// <summary>Docker's "-init" layer: mount points (/proc, /etc/hosts, ...) so they never show up in diff or commit.</summary>
    public string InitLayer => Path.Combine(Dir, "fs", "init");
    public string Rootfs => Path.Combine(Dir, "fs", "rootfs");
    /// <summary>A shareable container's /dev/shm: a tmpfs mounted here on the host while it runs (Docker's mounts/shm).</summary>
    public string Shm => Path.Combine(Dir, "mounts", "shm");

    public void Create(string hostname, string hosts, string resolvConf)
    {
        const UnixFileMode dirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                     UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var d in new[] { Upper, Work, Rootfs, InitLayer }) Directory.CreateDirectory(d, dirMode);
        foreach (var d in new[] { "proc", "sys", "dev", "dev/pts", "dev/shm", "etc" })
            Directory.CreateDirectory(Path.Combine(InitLayer, d), dirMode);
        foreach (var f in new[] { "etc/hostname", "etc/hosts", "etc/resolv.conf", "dev/console" })
            File.WriteAllBytes(Path.Combine(InitLayer, f), []);
        WriteShared(Hostname, hostname + "\n");
        WriteShared(Hosts, hosts);
        WriteShared(ResolvConf, resolvConf);
    }

    static void WriteShared(string path, string content)
    {
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>Docker's /etc/hosts for a container (the networking layer adds the container's own address).</summary>
    public static string DefaultHosts(string hostname, string? address = null) =>
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n" +
        "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n" + (address is null ? "" : $"{address}\t{hostname}\n");

    /// <summary>The host's name, for containers on the host's network.</summary>
    public static string HostHostname()
    {
        try { return File.ReadAllText("/proc/sys/kernel/hostname").Trim(); }
        catch (IOException) { return Environment.MachineName; }
    }

    /// <summary>The host's /etc/hosts, for containers on the host's network (a copy: the container may edit its own).</summary>
    public static string HostHosts()
    {
        try { return File.ReadAllText("/etc/hosts"); }
        catch (IOException) { return DefaultHosts(HostHostname()); }
    }

    /// <summary>The host's resolv.conf as it is, for containers on the host's network (loopback resolvers work there).</summary>
    public static string HostResolvConfVerbatim()
    {
        try { return File.ReadAllText("/etc/resolv.conf"); }
        catch (IOException) { return HostResolvConf(); }
    }

    /// <summary>The host's resolv.conf without loopback nameservers, which mean nothing inside a network namespace.</summary>
    public static string HostResolvConf()
    {
        string text;
        try { text = File.ReadAllText("/etc/resolv.conf"); }
        catch (IOException) { text = ""; }
        var lines = text.Split('\n').Where(l => !IsLoopbackNameserver(l)).ToList();
        if (!lines.Any(l => l.TrimStart().StartsWith("nameserver", StringComparison.Ordinal)))
            lines.AddRange(["nameserver 8.8.8.8", "nameserver 8.8.4.4"]);
        return string.Join('\n', lines).TrimEnd('\n') + "\n";
    }

    static bool IsLoopbackNameserver(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && parts[0] == "nameserver" && (parts[1].StartsWith("127.", StringComparison.Ordinal) || parts[1] == "::1");
    }
}
