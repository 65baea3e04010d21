namespace GitOps.Runtime.Images.Build;

/// <summary>What docker build is asked: a context directory (already unpacked), a Dockerfile in it, and options.</summary>
public sealed record BuildRequest
{
    public required string ContextDir { get; init; }
    /// <summary>The Dockerfile's path relative to the context.</summary>
    public string Dockerfile { get; init; } = "Dockerfile";
    public IReadOnlyList<ImageReference> Tags { get; init; } = [];
    public IReadOnlyDictionary<string, string?> BuildArgs { get; init; } = new Dictionary<string, string?>();
    public string? Target { get; init; }
    public bool NoCache { get; init; }
    /// <summary>Pull FROM images even when the store has them.</summary>
    public bool Pull { get; init; }
    /// <summary>Network of RUN containers: bridge (the engine's default), host or none.</summary>
    public string Network { get; init; } = "bridge";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>A Dockerfile that cannot be built; the message has one "file:line: problem" per line, all of them.</summary>
public sealed class BuildException(IReadOnlyList<string> errors) : EngineException(string.Join("\n", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
    public override EngineErrorKind Kind => EngineErrorKind.InvalidArgument;
}
