namespace GitOps.Runtime.Health;

/// <summary>Docker's health states, as State.Health.Status and the health= filter spell them.</summary>
public static class HealthStatus
{
    /// <summary>No health check (none configured, or Test ["NONE"]): only the ps filter uses this word.</summary>
    public const string None = "none";
    public const string Starting = "starting";
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
}
