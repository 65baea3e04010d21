namespace GitOps.Runtime.Images.Registry;

/// <summary>
/// A registry refused or failed a request. The kind follows the registry's answer: unauthorized for bad or
/// missing credentials, not found for an unknown repository, tag or blob, upstream when the registry could
/// not be reached or answered nonsense.
/// </summary>
public sealed class RegistryException(string message, EngineErrorKind kind, Exception? inner = null) : EngineException(message, inner)
{
    public override EngineErrorKind Kind { get; } = kind;
}

/// <summary>Content did not hash to the digest that named it: never retried, never stored.</summary>
public sealed class DigestMismatchException(string message) : EngineException(message)
{
    public override EngineErrorKind Kind => EngineErrorKind.Upstream;
}
