namespace GitOps.Reconciler.Model;

/// <summary>When and how often a stopped container is started again; <see cref="MaxAttempts"/> null means without limit.</summary>
internal sealed record RestartPolicy(RestartCondition Condition, int? MaxAttempts, TimeSpan Delay, TimeSpan Window)
{
    public static readonly RestartPolicy Never = new(RestartCondition.No, null, TimeSpan.Zero, TimeSpan.Zero);

    public static readonly RestartPolicy Always = new(RestartCondition.Always, null, TimeSpan.Zero, TimeSpan.Zero);
}
