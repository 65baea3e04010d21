namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// Reads a secret's key for an analysis argument when a measurement is taken (the engine's secret store). Null when
/// the secret or key does not exist. Values go only into the measurement's request and are masked in what it reports.
/// </summary>
internal interface IAnalysisSecrets
{
    ValueTask<string?> GetAsync(string app, string secret, string key, CancellationToken cancellationToken);
}
