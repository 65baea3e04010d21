namespace GitOps.Reconciler.Model;

/// <summary>
/// What a node taint does to pods that do not tolerate it: NoSchedule keeps new ones off, PreferNoSchedule makes
/// the node a last resort, NoExecute also evicts running ones.
/// </summary>
internal enum TaintEffect
{
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}
