namespace GitOps.Runtime.Secrets;

/// <summary>
/// A secret or config as stored under ROOT/secrets or ROOT/configs: metadata and the content, which
/// for a secret is AES-256-GCM ciphertext under the node key. Nothing here reveals a secret's value.
/// </summary>
public sealed record SecretRecord
{
    public required string Id { get; set; }
    public required SecretKind Kind { get; set; }
    public required string Name { get; set; }
    /// <summary>Starts at 1; each change of value or labels adds one (rotation by version).</summary>
    public long Version { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>The keys of a multi-key object (a Kubernetes Secret or ConfigMap); null for a single value (Swarm).</summary>
    public IReadOnlyList<string>? Keys { get; set; }
    /// <summary>HMAC-SHA256 of the content under the node key: an identical value is recognised without being revealed.</summary>
    public string ContentHash { get; set; } = "";
    /// <summary>Secrets: nonce, ciphertext and tag. Configs: the content itself.</summary>
    public byte[] Payload { get; set; } = [];

    /// <summary>Never the payload: a record in an exception message or a trace carries metadata only.</summary>
    public override string ToString() => $"{Kind} {Name} ({Id}) v{Version}";
}
