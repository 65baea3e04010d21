using GitOps.Reconciler.Apps;

// Namespace "Configuration", not "Config": Model.Config (Compose configs) is used unqualified across the reconciler.
namespace GitOps.Reconciler.Configuration;

/// <summary>The daemon's config file (<c>gitops daemon --config FILE</c>), checked and with defaults applied.</summary>
/// <param name="Apps">The applications, in file order, names unique.</param>
/// <param name="Webhook">The webhook listener, or null when none is configured.</param>
/// <param name="Telemetry">Telemetry exporters.</param>
/// <param name="Defaults">The defaults the file declared (already applied to <paramref name="Apps"/>; kept for apps added later with <c>gitops app add</c>).</param>
internal sealed record DaemonConfig(IReadOnlyList<AppSpec> Apps, WebhookConfig? Webhook, TelemetryConfig Telemetry, AppDefaults Defaults)
{
    public static readonly DaemonConfig Empty = new([], null, TelemetryConfig.None, AppDefaults.Default);

    /// <summary>The presets plus the file's named <c>policies:</c>, with <c>defaults.policy</c> as the default.</summary>
    public Policy.PolicyCatalog Policies { get; init; } = Policy.PolicyCatalog.Presets;
}
