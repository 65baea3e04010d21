namespace GitOps.Reconciler.Model;

/// <summary>What a dependency must reach before the dependent service starts.</summary>
internal enum DependencyCondition
{
    Started,
    Healthy,
    CompletedSuccessfully,
}
