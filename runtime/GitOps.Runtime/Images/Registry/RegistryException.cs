namespace GitOps.Runtime.Images.Registry;

/// <summary>
/// A registry refused or failed a request. The status given to API clients follows the registry's
/// answer: 401 for bad or missing credentials, 404 for an unknown repository, tag or blob, 502 when
/// the registry could not be reached or answered nonsense.
/// </summary>
public sealed class RegistryException(string message, int statusCode, Exception? inner = null) : EngineException(message, inner)
{
    public override int StatusCode { get; } = statusCode;
}

/// <summary>Content did not hash to the digest that named it: never retried, never stored.</summary>
public sealed class DigestMismatchException(string message) : EngineException(message)
{
    public override int StatusCode => 502;
}
