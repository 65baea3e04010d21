namespace GitOps.Reconciler.Model;

/// <summary>How a probe checks a container: a command (exec form or through the shell), an HTTP GET, a TCP connect, a gRPC health check, or disabled (overrides the image's HEALTHCHECK).</summary>
internal enum ProbeKind
{
    Exec,
    Shell,
    Http,
    Tcp,
    Grpc,
    Disabled,
}
