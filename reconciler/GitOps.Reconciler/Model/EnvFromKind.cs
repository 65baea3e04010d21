namespace GitOps.Reconciler.Model;

/// <summary>A whole Secret or ConfigMap exposed as environment variables (Kubernetes envFrom).</summary>
internal enum EnvFromKind
{
    Secret,
    Config,
}
