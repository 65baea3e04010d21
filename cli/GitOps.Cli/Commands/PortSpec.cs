using GitOps.Runtime.Networking;

namespace GitOps.Cli.Commands;

/// <summary>docker run -p: [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO], ports or equal-length ranges, or a host range for one port.</summary>
public static class PortSpec
{
    public static Dictionary<string, List<PortBindingRequest>> Parse(IEnumerable<string> specs)
    {
        var result = new Dictionary<string, List<PortBindingRequest>>();
        foreach (var spec in specs)
        {
            var proto = "tcp";
            var s = spec;
            var slash = s.LastIndexOf('/');
            if (slash >= 0) { proto = s[(slash + 1)..].ToLowerInvariant(); s = s[..slash]; }
            if (proto is not ("tcp" or "udp")) throw new FormatException($"invalid publish \"{spec}\": protocol must be tcp or udp");
            var parts = s.Split(':');
            string ip = "", host = "", container;
            switch (parts.Length)
            {
                case 1: container = parts[0]; break;
                case 2: host = parts[0]; container = parts[1]; break;
                case 3: ip = parts[0]; host = parts[1]; container = parts[2]; break;
                default: throw new FormatException($"invalid publish \"{spec}\": expected [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]");
            }
            if (ip.Length > 0 && !System.Net.IPAddress.TryParse(ip, out _))
                throw new FormatException($"invalid publish \"{spec}\": \"{ip}\" is not an IP address");
            var containers = Range(container, spec);
            var hosts = host.Length == 0 ? null : Range(host, spec);
            // One container port with a host range: the daemon takes the first free port of the range.
            if (hosts is { Count: > 1 } && containers.Count == 1)
            {
                var key = $"{containers[0]}/{proto}";
                if (!result.TryGetValue(key, out var list)) result[key] = list = [];
                list.Add(new PortBindingRequest { HostIp = ip, HostPort = $"{hosts[0]}-{hosts[^1]}" });
                continue;
            }
            if (hosts is not null && hosts.Count != containers.Count)
                throw new FormatException($"invalid publish \"{spec}\": host and container port ranges differ in length");
            for (var i = 0; i < containers.Count; i++)
            {
                var key = $"{containers[i]}/{proto}";
                if (!result.TryGetValue(key, out var list)) result[key] = list = [];
                list.Add(new PortBindingRequest { HostIp = ip, HostPort = hosts is null ? "" : hosts[i].ToString() });
            }
        }
        return result;
    }

    static List<int> Range(string text, string spec)
    {
        var dash = text.IndexOf('-');
        if (dash < 0) return [Port(text, spec)];
        var (from, to) = (Port(text[..dash], spec), Port(text[(dash + 1)..], spec));
        if (to < from) throw new FormatException($"invalid publish \"{spec}\": range {text} ends before it starts");
        return Enumerable.Range(from, to - from + 1).ToList();
    }

    static int Port(string text, string spec) =>
        int.TryParse(text, out var p) && p is > 0 and < 65536 ? p : throw new FormatException($"invalid publish \"{spec}\": \"{text}\" is not a port (1-65535)");
}
