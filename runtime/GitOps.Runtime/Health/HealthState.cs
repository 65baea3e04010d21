namespace GitOps.Runtime.Health;

/// <summary>State.Health: the status, the consecutive failures counted so far and the last results, oldest first.</summary>
public sealed record HealthState(string Status, int FailingStreak, IReadOnlyList<HealthLog> Log);

/// <summary>One probe: when it ran, its exit code (-1 when it could not run or timed out) and its output, at most 4 KiB.</summary>
public sealed record HealthLog(DateTimeOffset Start, DateTimeOffset End, int ExitCode, string Output);
