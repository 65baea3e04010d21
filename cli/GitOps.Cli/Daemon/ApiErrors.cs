using GitOps.Runtime;

namespace GitOps.Cli.Daemon;

/// <summary>
/// The HTTP status of an engine error. The mapping lives here, in the API, so the engine stays free of HTTP and
/// the statuses stay Docker's: 404 not found, 409 conflict, 400 a bad request, 304 nothing to do, 401 refused
/// credentials, 415 unsupported content, 502 an unreachable registry, 500 a host missing what the engine needs.
/// </summary>
internal static class ApiErrors
{
    public static int Status(EngineException e) => e.Kind switch
    {
        EngineErrorKind.NotFound => 404,
        EngineErrorKind.Conflict => 409,
        EngineErrorKind.InvalidArgument => 400,
        EngineErrorKind.NotModified => 304,
        EngineErrorKind.Unauthorized => 401,
        EngineErrorKind.Unsupported => 415,
        EngineErrorKind.Upstream => 502,
        _ => 500,
    };
}
