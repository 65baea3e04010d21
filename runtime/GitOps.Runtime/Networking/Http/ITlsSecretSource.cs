using System.Security.Cryptography.X509Certificates;

namespace GitOps.Runtime.Networking.Http;

/// <summary>Where an http router's certificates come from: the engine's secret store (values stay inside the engine).</summary>
public interface ITlsSecretSource
{
    /// <summary>The secret's current version (null: no such secret), so a router reloads a certificate only when it changed.</summary>
    string? Version(string secret);

    /// <summary>The certificate with its private key: tls.crt and tls.key of a Kubernetes TLS secret, or one PEM holding both.</summary>
    X509Certificate2 Load(string secret);
}
