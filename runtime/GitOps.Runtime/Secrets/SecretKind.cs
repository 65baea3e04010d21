namespace GitOps.Runtime.Secrets;

/// <summary>Secrets are encrypted at rest and mounted under /run/secrets; configs are kept as they are and mounted at /NAME.</summary>
public enum SecretKind
{
    Secret,
    Config,
}

internal static class SecretKinds
{
    public static string Noun(this SecretKind kind) => kind == SecretKind.Secret ? "secret" : "config";
}
