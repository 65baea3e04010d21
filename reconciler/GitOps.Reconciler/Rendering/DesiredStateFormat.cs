namespace GitOps.Reconciler.Rendering;

/// <summary>
/// The normalised desired state as a document (<c>gitops render</c>): every default written out, keys
/// sorted, secrets masked. It is also an input format, so render → load → render is a fixed point, and the
/// reconciler can keep the last applied state in it.
/// </summary>
internal static class DesiredStateFormat
{
    public const string ApiVersion = "gitops/v1";

    public const string Kind = "DesiredState";
}
