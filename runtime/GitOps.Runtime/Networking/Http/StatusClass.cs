namespace GitOps.Runtime.Networking.Http;

/// <summary>
/// How a proxied request ended: its status class, or <see cref="Error"/> when no response came from a
/// backend (connection refused or reset, timeout): what Argo's analyses call a failed request either way.
/// </summary>
public enum StatusClass { Informational, Success, Redirect, ClientError, ServerError, Error }

public static class StatusClasses
{
    public static readonly string[] Names = ["1xx", "2xx", "3xx", "4xx", "5xx", "error"];

    public static StatusClass Of(int status) => status switch
    {
        < 200 => StatusClass.Informational,
        < 300 => StatusClass.Success,
        < 400 => StatusClass.Redirect,
        < 500 => StatusClass.ClientError,
        _ => StatusClass.ServerError,
    };

    public static string Name(this StatusClass c) => Names[(int)c];
}
