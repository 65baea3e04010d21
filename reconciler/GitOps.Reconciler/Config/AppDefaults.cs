using GitOps.Reconciler.Apps;

namespace GitOps.Reconciler.Configuration;

/// <summary>What an application gets for what it leaves out (the config file's <c>defaults:</c>).</summary>
internal sealed record AppDefaults(TimeSpan Interval, double Jitter, bool Prune, bool PruneVolumes, bool SelfHeal, DriftMode Drift)
{
    /// <summary>The policy of applications that name none (<c>defaults.policy</c>); null: restricted.</summary>
    public string? Policy { get; init; }

    public static readonly AppDefaults Default = new(AppSchedule.Default.Interval, AppSchedule.Default.Jitter, false, false, false, DriftMode.Report);
}
