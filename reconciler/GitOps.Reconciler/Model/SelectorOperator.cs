namespace GitOps.Reconciler.Model;

/// <summary>Kubernetes selector operators. Label selectors take In/NotIn/Exists/DoesNotExist; node selectors also Gt/Lt (integer label values).</summary>
internal enum SelectorOperator
{
    In,
    NotIn,
    Exists,
    DoesNotExist,
    Gt,
    Lt,
}
