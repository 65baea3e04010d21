using System.Globalization;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// Compose's short port syntax <c>[[IP:][PUBLISHED]:]TARGET[/PROTOCOL]</c> with ranges (<c>9090-9091:8080-8081</c>)
/// and bracketed IPv6 addresses (<c>[::1]:80:80</c>), expanded to one mapping per port.
/// </summary>
internal static class PortSyntax
{
    /// <summary>Ranges larger than this are refused: a typo must not create 60,000 bindings.</summary>
    public const int MaxRange = 1024;

    public static List<PortSpec> Parse(string text, out string? error)
    {
        error = null;
        var result = new List<PortSpec>();
        var s = text.Trim();
        var protocol = "tcp";
        var slash = s.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = s[(slash + 1)..].ToLowerInvariant();
            s = s[..slash];
            if (protocol is not ("tcp" or "udp" or "sctp")) { error = $"unknown protocol '{protocol}' (tcp, udp or sctp)"; return result; }
        }
        string? ip = null;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= s.Length || s[close + 1] != ':') { error = "invalid IPv6 address: expected [ADDRESS]:PUBLISHED:TARGET"; return result; }
            ip = s[1..close];
            s = s[(close + 2)..];
        }
        var parts = s.Split(':');
        string? published;
        string target;
        switch (parts.Length)
        {
            case 1 when ip is null: published = null; target = parts[0]; break;
            case 2 when ip is null: published = parts[0]; target = parts[1]; break;
            case 2: published = parts[0]; target = parts[1]; break;
            case 3 when ip is null: ip = parts[0]; published = parts[1]; target = parts[2]; break;
            default: error = "expected [[IP:][PUBLISHED]:]TARGET[/PROTOCOL]"; return result;
        }
        if (published is { Length: 0 }) published = null;
        if (!TryRange(target, out var t0, out var t1)) { error = $"invalid container port '{target}'"; return result; }
        int p0 = 0, p1 = 0;
        if (published is not null && !TryRange(published, out p0, out p1)) { error = $"invalid published port '{published}'"; return result; }
        var count = t1 - t0 + 1;
        if (count > MaxRange) { error = $"port range of {count} ports is larger than {MaxRange}"; return result; }
        if (published is not null && p1 - p0 + 1 != count)
        {
            // "8000-8010:80": one container port, any host port of the range (Docker takes the first free one;
            // Compose's replicas each take one of their own).
            if (count != 1) { error = "published and container port ranges differ in length"; return result; }
            if (p1 - p0 + 1 > MaxRange) { error = $"port range of {p1 - p0 + 1} ports is larger than {MaxRange}"; return result; }
            result.Add(new PortSpec(ip, p0, t0, protocol, p1));
            return result;
        }
        for (var i = 0; i < count; i++)
            result.Add(new PortSpec(ip, published is null ? null : p0 + i, t0 + i, protocol));
        return result;
    }

    public static bool TryRange(string text, out int first, out int last)
    {
        first = last = 0;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            if (!TryPort(text, out first)) return false;
            last = first;
            return true;
        }
        return TryPort(text[..dash], out first) && TryPort(text[(dash + 1)..], out last) && last >= first;
    }

    public static bool TryPort(string text, out int port) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 0 and <= 65535;
}
