namespace GitOps.Runtime.Secrets;

/// <summary>
/// What to store: one value (<see cref="Data"/>, a Swarm secret or config) or named values
/// (<see cref="Items"/>, a Kubernetes Secret or ConfigMap). Bytes, so binary content survives.
/// </summary>
public sealed record SecretSpec
{
    public required string Name { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public byte[]? Data { get; set; }
    public Dictionary<string, byte[]>? Items { get; set; }

    public override string ToString() => $"SecretSpec {{ Name = {Name}, Keys = {(Items is null ? "-" : string.Join(",", Items.Keys))} }}";
}

/// <summary>Decrypted content, held in memory only while a container starts.</summary>
public sealed record SecretContent(byte[]? Value, IReadOnlyDictionary<string, byte[]>? Items)
{
    public override string ToString() => "SecretContent { *** }";
}
