namespace GitOps.Reconciler.Model;

/// <summary>
/// A Job's completion mode: any <c>completions</c> successful pods (NonIndexed), or one successful pod per index
/// 0..completions-1, each told its index in <c>JOB_COMPLETION_INDEX</c> (Indexed).
/// </summary>
internal enum CompletionMode
{
    NonIndexed,
    Indexed,
}
