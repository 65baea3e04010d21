namespace GitOps.Reconciler.Model;

/// <summary>The manifest format a service was written in; it decides the defaults (update strategy, restart policy...).</summary>
internal enum SourceFormat
{
    Compose,
    Stack,
    Kubernetes,
}
