using System.Globalization;
using GitOps.Reconciler.Values;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// The Kubernetes downward API as environment variables (API reference: EnvVarSource.fieldRef and
/// resourceFieldRef; docs "Expose Pod Information to Containers Through Environment Variables" and
/// "Downward API"). The field paths the API server accepts for env are exactly these, plus
/// <c>metadata.labels['KEY']</c> and <c>metadata.annotations['KEY']</c>; every one of them is served, so a
/// manifest that loads never starts a container with the variable missing.
/// </summary>
internal static class DownwardApi
{
    /// <summary>Fields known when the replica is compiled: the pod's own metadata and spec.</summary>
    public static readonly IReadOnlyList<string> PodFields = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.serviceAccountName"];

    /// <summary>Fields only the node knows when the container starts (its name and addresses): the engine fills them.</summary>
    public static readonly IReadOnlyList<string> NodeFields = ["spec.nodeName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"];

    public static readonly IReadOnlyList<string> Resources =
        ["limits.cpu", "limits.memory", "limits.ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage"];

    /// <summary>validContainerResourceDivisorForCPU and ForMemory of the API's validation, as numbers.</summary>
    private static readonly decimal[] CpuDivisors = [0.001m, 1m];

    private static readonly decimal[] ByteDivisors =
    [
        1m, 1e3m, 1e6m, 1e9m, 1e12m, 1e15m, 1e18m,
        1024m, 1024m * 1024, 1024m * 1024 * 1024, 1024m * 1024 * 1024 * 1024, 1024m * 1024 * 1024 * 1024 * 1024, 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
    ];

    /// <summary>Null when <paramref name="path"/> may be used in env; otherwise what is wrong with it.</summary>
    public static string? CheckFieldPath(string path)
    {
        if (PodFields.Contains(path) || NodeFields.Contains(path)) return null;
        if (Subscript(path) is var (map, key))
            return key.Length == 0 ? $"'{map}' needs a key, as {map}['KEY']" : null;
        if (path is "metadata.labels" or "metadata.annotations")
            return $"'{path}' as a whole is only available in a downwardAPI volume; name one key, as {path}['KEY']";
        return $"fieldPath '{path}' is not supported: expected one of {string.Join(", ", PodFields.Concat(NodeFields))}, metadata.labels['KEY'] or metadata.annotations['KEY']";
    }

    /// <summary><c>metadata.labels['app']</c> → ("metadata.labels", "app"); null for a path without a subscript.</summary>
    public static (string Map, string Key)? Subscript(string path)
    {
        foreach (var map in (ReadOnlySpan<string>)["metadata.labels", "metadata.annotations"])
        {
            if (!path.StartsWith(map + "[", StringComparison.Ordinal) || !path.EndsWith(']')) continue;
            var inner = path[(map.Length + 1)..^1];
            if (inner.Length >= 2 && inner[0] == inner[^1] && inner[0] is '\'' or '"') return (map, inner[1..^1]);
        }
        return null;
    }

    /// <summary>Null when <paramref name="divisor"/> suits <paramref name="resource"/>; otherwise what is wrong.</summary>
    public static string? CheckDivisor(string resource, string divisor)
    {
        if (!Quantity.TryParse(divisor, out var value)) return $"divisor '{divisor}' is not a quantity";
        var cpu = resource.EndsWith(".cpu", StringComparison.Ordinal);
        if ((cpu ? CpuDivisors : ByteDivisors).Contains(value)) return null;
        return cpu ? "a CPU divisor must be 1m or 1" : "a memory or storage divisor must be 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi or 1Ei";
    }

    /// <summary>
    /// The value of a resource whose quantity is declared: the API server's ceiling of quantity / divisor
    /// (CPU in millicores, bytes otherwise). <paramref name="amount"/> is nano-CPUs or bytes.
    /// </summary>
    public static string ResourceValue(string resource, long amount, string? divisor)
    {
        Quantity.TryParse(divisor ?? "1", out var d);
        if (d <= 0) d = 1;
        decimal value = resource.EndsWith(".cpu", StringComparison.Ordinal)
            ? decimal.Ceiling(amount / 1_000_000m) / decimal.Ceiling(d * 1000m) // MilliValue() / divisor.MilliValue()
            : amount / decimal.Ceiling(d); // Value() / divisor.Value()
        return decimal.Ceiling(value).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A divisor in the unit the engine computes node values in: millicores for CPU, bytes otherwise.</summary>
    public static long EngineDivisor(string resource, string? divisor)
    {
        Quantity.TryParse(divisor ?? "1", out var d);
        var unit = resource.EndsWith(".cpu", StringComparison.Ordinal) ? decimal.Ceiling(d * 1000m) : decimal.Ceiling(d);
        return unit <= 0 ? 1 : (long)unit;
    }
}
