using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace GitOps.Runtime;

/// <summary>
/// This machine as a node: the one place its name and address come from (what Kubernetes' spec.nodeName and
/// status.hostIP read, and what placement will match). The name is the host's unless the daemon is given one;
/// the address is the IPv4 address of the interface that holds the default route (the node's InternalIP), or
/// the first non-loopback IPv4 address when there is no default route. It is looked up at each use, so a
/// renumbered host hands its new address to the next container that starts.
/// </summary>
public sealed class NodeInfo(string? name = null)
{
    public string Name { get; } = name is { Length: > 0 } ? name : Containers.ContainerFiles.HostHostname();

    public string Address => DefaultRouteAddress() ?? FirstAddress() ?? IPAddress.Loopback.ToString();

    /// <summary>Allocatable CPU in millicores: every CPU this process may run on, as the kubelet reports without reservations.</summary>
    public static long AllocatableMilliCpu => Environment.ProcessorCount * 1000L;

    /// <summary>Allocatable memory in bytes: what the runtime sees as available to it (the machine's, or its cgroup's limit).</summary>
    public static long AllocatableMemory => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Allocatable ephemeral storage in bytes: the size of the file system holding <paramref name="root"/>.</summary>
    public static long AllocatableStorage(string root)
    {
        try { return new DriveInfo(root).TotalSize; }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { return 0; }
    }

    static string? DefaultRouteAddress()
    {
        string[] lines;
        try { lines = File.ReadAllLines("/proc/net/route"); }
        catch (IOException) { return null; }
        // Iface Destination Gateway Flags RefCnt Use Metric Mask ...; the default route has destination and mask 0.
        var best = lines.Skip(1).Select(l => l.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(f => f.Length >= 8 && f[1] == "00000000" && f[7] == "00000000")
            .OrderBy(f => int.TryParse(f[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out var metric) ? metric : int.MaxValue)
            .Select(f => f[0]).FirstOrDefault();
        return best is null ? null : AddressesOf(i => i.Name == best).FirstOrDefault();
    }

    static string? FirstAddress() => AddressesOf(i => i.NetworkInterfaceType != NetworkInterfaceType.Loopback && i.OperationalStatus == OperationalStatus.Up).FirstOrDefault();

    static IEnumerable<string> AddressesOf(Func<NetworkInterface, bool> which)
    {
        NetworkInterface[] all;
        try { all = NetworkInterface.GetAllNetworkInterfaces(); }
        catch (NetworkInformationException) { return []; }
        return all.Where(which)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a.Address))
            .Select(a => a.Address.ToString()).ToList();
    }
}
