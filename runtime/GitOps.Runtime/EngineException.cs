namespace GitOps.Runtime;

/// <summary>
/// What kind of failure an engine error is, in the engine's own terms. The engine knows nothing of HTTP: the
/// daemon's API maps each kind to a status (cli/GitOps.Cli/Daemon/ApiErrors.cs), and other callers (the
/// reconciler, a cluster agent) branch on the kind or the exception type.
/// </summary>
public enum EngineErrorKind
{
    /// <summary>No such container, image, exec instance, ...</summary>
    NotFound,
    /// <summary>The request is valid but clashes with current state: name in use, container running.</summary>
    Conflict,
    /// <summary>The request itself is wrong: bad memory value, missing command, a Dockerfile that cannot be built.</summary>
    InvalidArgument,
    /// <summary>Nothing to do: already started or already stopped.</summary>
    NotModified,
    /// <summary>A registry refused the credentials (or their absence).</summary>
    Unauthorized,
    /// <summary>Content in a format the engine does not handle (a zstd layer).</summary>
    Unsupported,
    /// <summary>A registry could not be reached or answered nonsense.</summary>
    Upstream,
    /// <summary>The host lacks what the engine needs (libseccomp): the daemon's problem, not the request's.</summary>
    HostUnavailable,
}

/// <summary>Errors the engine reports to users; <see cref="Kind"/> says what kind of failure each is.</summary>
public abstract class EngineException(string message, Exception? inner = null) : Exception(message, inner)
{
    public abstract EngineErrorKind Kind { get; }
}

public sealed class NotFoundException(string message) : EngineException(message)
{
    public override EngineErrorKind Kind => EngineErrorKind.NotFound;
}

public sealed class ConflictException(string message) : EngineException(message)
{
    public override EngineErrorKind Kind => EngineErrorKind.Conflict;
}

public sealed class InvalidArgumentException(string message) : EngineException(message)
{
    public override EngineErrorKind Kind => EngineErrorKind.InvalidArgument;
}

/// <summary>Starting the container's process failed; <see cref="ExitCode"/> is what a shell would report (126/127).</summary>
public sealed class StartFailedException(string message, int exitCode) : EngineException(message)
{
    public int ExitCode { get; } = exitCode;
    public override EngineErrorKind Kind => EngineErrorKind.InvalidArgument;
}

/// <summary>Already started or already stopped (Docker's API answers 304).</summary>
public sealed class NotModifiedException(string message) : EngineException(message)
{
    public override EngineErrorKind Kind => EngineErrorKind.NotModified;
}
