namespace GitOps.Reconciler.Model;

/// <summary>StatefulSet start order: one replica after the other, each ready before the next (OrderedReady), or all at once.</summary>
internal enum PodManagement
{
    OrderedReady,
    Parallel,
}
