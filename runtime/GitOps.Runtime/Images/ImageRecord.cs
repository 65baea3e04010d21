namespace GitOps.Runtime.Images;

/// <summary>What the store keeps about one image beside its config blob.</summary>
public sealed record ImageRecord
{
    /// <summary>The image ID: digest of the config blob, as Docker's.</summary>
    public required string Id { get; set; }
    public required string ManifestDigest { get; set; }
    public DateTimeOffset Created { get; set; }
    /// <summary>Unpacked size of all layers.</summary>
    public long Size { get; set; }
    public IReadOnlyList<string> RepoDigests { get; set; } = [];
    /// <summary>The image a build step started from: intermediate images hide behind their children, as in Docker.</summary>
    public string? Parent { get; set; }
    /// <summary>The build cache key of the step that made this image (parent state, instruction, inputs).</summary>
    public string? BuildKey { get; set; }
}

/// <summary>An image resolved for running: its config and the directories of its layers, bottom first.</summary>
public sealed record ResolvedImage(ImageRecord Record, ImageConfigFile Config, IReadOnlyList<string> LayerDirs, IReadOnlyList<string> RepoTags);

/// <summary>A layer unpacked in the store.</summary>
public sealed record LayerRecord(string DiffId, long Size, DateTimeOffset Created);
