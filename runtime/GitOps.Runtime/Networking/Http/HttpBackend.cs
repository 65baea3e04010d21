namespace GitOps.Runtime.Networking.Http;

/// <summary>
/// A backend an http router may send requests to now: running, ready, on the router's network.
/// <see cref="Key"/> (container ID and port) names it in YARP's cluster and in the in-flight counts.
/// A weight of 0 takes no share of weighted traffic, but header routes still reach it (as Argo's
/// setHeaderRoute reaches a canary at setWeight 0).
/// </summary>
public sealed record HttpBackend(string Key, string Container, string Ip, int Port, int Weight, string Service, string Version)
{
    public static string KeyOf(string containerId, int port) => $"{containerId}:{port}";
}
