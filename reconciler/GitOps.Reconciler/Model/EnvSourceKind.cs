namespace GitOps.Reconciler.Model;

/// <summary>Where an environment variable's value comes from when it is not written inline.</summary>
internal enum EnvSourceKind
{
    SecretKey,
    ConfigKey,
    Field,
    ResourceField,
}
