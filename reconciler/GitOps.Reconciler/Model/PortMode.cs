namespace GitOps.Reconciler.Model;

/// <summary>Ingress publishes through the service router on every node; Host binds the port on the node that runs the replica.</summary>
internal enum PortMode
{
    Ingress,
    Host,
}
