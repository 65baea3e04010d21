using Quartz;
using Quartz.Extensibility;

namespace GitOps.Reconciler.Triggers;

/// <summary>
/// The only Quartz job type: a firing hands the app's name (the job key) back to the <see cref="PollScheduler"/>.
/// Instances come from <see cref="PollJobFactory"/>, never from Quartz's reflection-based factory, which is
/// what lets Quartz run inside the NativeAOT binary.
/// </summary>
internal sealed class PollJob(PollScheduler owner) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        owner.OnFiredAsync(context.JobDetail.Key.Name, context.Trigger.Key, cancellationToken);
}

/// <summary>Makes <see cref="PollJob"/>s for one scheduler; nothing else is ever scheduled on it.</summary>
internal sealed class PollJobFactory(PollScheduler owner) : IJobFactory
{
    public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new JobScope(new PollJob(owner), null));

    public ValueTask ReturnJob(JobScope job, CancellationToken cancellationToken = default) => default;
}
