using System.Text.Json.Serialization;

namespace GitOps.Runtime.Images.Registry;

/// <summary>The token endpoint's answer (distribution's token spec: "token", or OAuth2's "access_token").</summary>
public sealed class TokenResponse
{
    [JsonPropertyName("token")] public string? Token { get; set; }
    [JsonPropertyName("access_token")] public string? AccessToken { get; set; }
    [JsonPropertyName("expires_in")] public int? ExpiresIn { get; set; }
}

/// <summary>The distribution spec's error body: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"..."}]}.</summary>
public sealed class RegistryErrors
{
    [JsonPropertyName("errors")] public List<RegistryError>? Errors { get; set; }
}

public sealed class RegistryError
{
    [JsonPropertyName("code")] public string? Code { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
}

/// <summary>A manifest or an index, read once to tell which it is.</summary>
public sealed class ManifestProbe
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; set; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; set; }
    [JsonPropertyName("manifests")] public List<Descriptor>? Manifests { get; set; }
    [JsonPropertyName("config")] public Descriptor? Config { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegistryErrors))]
[JsonSerializable(typeof(ManifestProbe))]
[JsonSerializable(typeof(CredentialFile))]
internal sealed partial class RegistryJson : JsonSerializerContext;
