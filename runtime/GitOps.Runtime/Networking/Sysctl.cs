namespace GitOps.Runtime.Networking;

/// <summary>The kernel switches the network layer needs.</summary>
internal static class Sysctl
{
    public static void Set(string key, string value)
    {
        var path = "/proc/sys/" + key.Replace('.', '/');
        try
        {
            if (File.ReadAllText(path).Trim() == value) return;
            File.WriteAllText(path, value);
        }
        catch (IOException e) { throw new IOException($"cannot set {key}={value}: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new IOException($"cannot set {key}={value}: {e.Message}", e); }
    }

    /// <summary>Routing between bridges and the outside needs forwarding on.</summary>
    public static void EnableForwarding() => Set("net.ipv4.ip_forward", "1");

    /// <summary>
    /// Lets packets with a 127.0.0.0/8 source leave through the bridge: the kernel path for
    /// published ports reached at 127.0.0.1 (they are then masqueraded to the gateway address).
    /// </summary>
    public static void RouteLocalnet(string iface) => Set($"net.ipv4.conf.{iface}.route_localnet", "1");
}
