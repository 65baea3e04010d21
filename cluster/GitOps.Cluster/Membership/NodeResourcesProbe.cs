namespace GitOps.Cluster.Membership;

/// <summary>
/// What this node can offer: CPUs the daemon may run on (.NET's ProcessorCount honours sched_getaffinity
/// and a cgroup CPU quota) and memory (MemTotal, or the daemon's cgroup limit when lower).
/// </summary>
internal static class NodeResourcesProbe
{
    public static NodeResources Detect() => new(Environment.ProcessorCount * 1_000_000_000L, Memory());

    static long Memory()
    {
        var total = MemTotal();
        var limit = CgroupMemoryLimit();
        return limit is > 0 && limit < total ? limit.Value : total;
    }

    static long MemTotal()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[1]) * 1024;
        }
        return 0;
    }

    /// <summary>memory.max (v2) or memory.limit_in_bytes (v1) of the daemon's own cgroup; null when unlimited or unknown.</summary>
    static long? CgroupMemoryLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/cgroup"))
            {
                var parts = line.Split(':', 3);
                if (parts.Length != 3) continue;
                string? file = parts[0] == "0" && parts[1] == "" ? Path.Combine("/sys/fs/cgroup", parts[2].TrimStart('/'), "memory.max")
                    : parts[1].Split(',').Contains("memory") ? Path.Combine("/sys/fs/cgroup/memory", parts[2].TrimStart('/'), "memory.limit_in_bytes")
                    : null;
                if (file is null || !File.Exists(file)) continue;
                var text = File.ReadAllText(file).Trim();
                // v1 says "unlimited" with a huge page-rounded number.
                if (long.TryParse(text, out var v) && v < (1L << 60)) return v;
            }
        }
        catch (IOException) { }
        return null;
    }

    public static IReadOnlyDictionary<string, string> EngineLabels() => new Dictionary<string, string>
    {
        ["os"] = "linux",
        ["arch"] = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        ["kernel"] = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "",
    };
}
