namespace GitOps.Runtime.Cgroups;

/// <summary>Resource limits of one container, as docker run's flags give them (null = unlimited).</summary>
public sealed record ResourceLimits
{
    public long? MemoryBytes { get; init; }
    /// <summary>Memory plus swap; Docker's default is twice the memory limit (-1 = unlimited swap).</summary>
    public long? MemorySwapBytes { get; init; }
    public long? NanoCpus { get; init; }
    public long? CpuShares { get; init; }
    public long? PidsLimit { get; init; }
    /// <summary>devices.allow rules beyond the defaults ("c 10:229 rwm"), from --device.</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];
    /// <summary>--privileged: every device ("a *:* rwm").</summary>
    public bool AllDevices { get; init; }

    public const long CfsPeriodMicros = 100_000;

    /// <summary>CFS quota for --cpus: 1.5 CPUs = 150 ms of CPU time per 100 ms period.</summary>
    public long? CfsQuotaMicros => NanoCpus is { } n && n > 0 ? n * CfsPeriodMicros / 1_000_000_000 : null;
}

/// <summary>What the kernel says about a container's cgroup.</summary>
public sealed record CgroupStats(long MemoryUsage, long MemoryLimit, long CpuUsageNanos, long Pids);
