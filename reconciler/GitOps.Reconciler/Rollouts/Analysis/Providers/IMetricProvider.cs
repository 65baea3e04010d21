using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>
/// A source of measurements (Argo's metricproviders.Provider). <see cref="RunAsync"/> takes a measurement; a provider
/// whose measurement outlives one call (a job) returns it unfinished, and <see cref="ResumeAsync"/> is called at its
/// <see cref="Measurement.ResumeAt"/> until it finishes — also after a daemon restart, from the persisted run.
/// <see cref="TerminateAsync"/> stops an unfinished measurement when its run is terminated. Providers never throw for
/// what the measured system does: failures become measurements in the Error phase.
/// </summary>
internal interface IMetricProvider
{
    MetricProviderKind Kind { get; }

    Task<Measurement> RunAsync(MeasurementContext context, ResolvedMetric metric, CancellationToken cancellationToken);

    Task<Measurement> ResumeAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken);

    Task<Measurement> TerminateAsync(MeasurementContext context, ResolvedMetric metric, Measurement measurement, CancellationToken cancellationToken);
}
