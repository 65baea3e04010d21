namespace GitOps.Reconciler.Model;

/// <summary>How a toleration matches a taint's value: Equal (the default) or Exists (any value).</summary>
internal enum TolerationOperator
{
    Equal,
    Exists,
}
