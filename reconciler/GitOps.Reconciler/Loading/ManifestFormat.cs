namespace GitOps.Reconciler.Loading;

/// <summary>
/// How files are read. Auto decides by content and name: documents with apiVersion/kind are Kubernetes-style,
/// other YAML with Compose keys is Compose, and a Compose file whose name contains "stack", or that uses what only
/// Swarm acts on (<see cref="StackSignals"/>), is a Swarm stack.
/// </summary>
internal enum ManifestFormat
{
    Auto,
    Compose,
    Stack,
    Kubernetes,
}
