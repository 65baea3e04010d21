using System.Globalization;

namespace GitOps.Runtime.Networking;

/// <summary>The host's IPv4 routes (/proc/net/route): a new network's subnet must not clash with any.</summary>
public static class HostRoutes
{
    public static IReadOnlyList<Ipv4Cidr> Read(string path = "/proc/net/route")
    {
        var result = new List<Ipv4Cidr>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (f.Length < 8) continue;
            // Destination and mask are little-endian hex words.
            var dest = uint.Parse(f[1], NumberStyles.HexNumber);
            var mask = uint.Parse(f[7], NumberStyles.HexNumber);
            if (mask == 0) continue; // the default route clashes with nothing
            dest = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(dest);
            mask = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(mask);
            result.Add(new Ipv4Cidr(dest & mask, System.Numerics.BitOperations.PopCount(mask)));
        }
        return result;
    }
}
