using System.Net;

namespace GitOps.Runtime.Images.Registry;

/// <summary>How the engine talks to registries; set once from the daemon's flags.</summary>
public sealed record RegistryOptions
{
    /// <summary>
    /// Registries (host or host:port, or an IPv4 CIDR) reached over plain HTTP or HTTPS without
    /// certificate checks. Loopback registries are always in this list, as with Docker.
    /// </summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];
    public int MaxConcurrentDownloads { get; init; } = 3;
    public int MaxConcurrentUploads { get; init; } = 3;
    /// <summary>Attempts per blob on transient errors (connection reset, 5xx, 429).</summary>
    public int Attempts { get; init; } = 3;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Tests replace the network here.</summary>
    public Func<bool, HttpMessageHandler>? HandlerFactory { get; init; }

    /// <summary>The host API requests go to: Docker Hub's registry lives on another name than its references.</summary>
    public static string Endpoint(string domain) => domain == ImageReference.DefaultDomain ? "registry-1.docker.io" : domain;

    public bool IsInsecure(string domain)
    {
        var host = HostOf(domain);
        if (host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip))) return true;
        foreach (var entry in InsecureRegistries)
        {
            if (string.Equals(entry, domain, StringComparison.OrdinalIgnoreCase) || string.Equals(entry, host, StringComparison.OrdinalIgnoreCase)) return true;
            if (entry.Contains('/') && ip is not null && InCidr(ip, entry)) return true;
        }
        return false;
    }

    static string HostOf(string domain)
    {
        if (domain.StartsWith('[')) return domain[1..domain.IndexOf(']')];
        var colon = domain.LastIndexOf(':');
        return colon < 0 ? domain : domain[..colon];
    }

    static bool InCidr(IPAddress ip, string cidr)
    {
        var slash = cidr.IndexOf('/');
        if (!IPAddress.TryParse(cidr[..slash], out var net) || !int.TryParse(cidr[(slash + 1)..], out var bits)) return false;
        var a = ip.GetAddressBytes();
        var b = net.GetAddressBytes();
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }
}
