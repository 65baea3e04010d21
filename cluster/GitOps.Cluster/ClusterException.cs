namespace GitOps.Cluster;

/// <summary>A cluster operation refused or failed, with the one-line reason shown to the user and an HTTP status for the API.</summary>
internal sealed class ClusterException(string message, int status = 400) : Exception(message)
{
    public int Status { get; } = status;
}
