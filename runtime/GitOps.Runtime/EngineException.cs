namespace GitOps.Runtime;

/// <summary>Errors the engine reports to users; each maps to one HTTP status of the API.</summary>
public abstract class EngineException(string message, Exception? inner = null) : Exception(message, inner)
{
    public abstract int StatusCode { get; }
}

/// <summary>No such container, image, exec instance, ... (404).</summary>
public sealed class NotFoundException(string message) : EngineException(message)
{
    public override int StatusCode => 404;
}

/// <summary>The request is valid but clashes with current state: name in use, container running (409).</summary>
public sealed class ConflictException(string message) : EngineException(message)
{
    public override int StatusCode => 409;
}

/// <summary>The request itself is wrong: bad memory value, missing command (400).</summary>
public sealed class InvalidArgumentException(string message) : EngineException(message)
{
    public override int StatusCode => 400;
}

/// <summary>Starting the container's process failed; <see cref="ExitCode"/> is what a shell would report (126/127).</summary>
public sealed class StartFailedException(string message, int exitCode) : EngineException(message)
{
    public int ExitCode { get; } = exitCode;
    public override int StatusCode => 400;
}

/// <summary>Nothing to do: already started or already stopped (304 in Docker's API).</summary>
public sealed class NotModifiedException(string message) : EngineException(message)
{
    public override int StatusCode => 304;
}
