namespace GitOps.Runtime.Networking.Http;

/// <summary>
/// What an http router adds to a router: header routes (Argo Rollouts' setHeaderRoute), host/path rules
/// (a Kubernetes Ingress), a default service, and TLS. Persisted with the router; immutable in use
/// (a change replaces the whole object and is applied to new requests at once).
/// </summary>
public sealed record HttpRouterSettings
{
    /// <summary>Tried in order; the first whose header matches sends the request to its group.</summary>
    public List<HeaderRoute> HeaderRoutes { get; set; } = [];
    /// <summary>Host/path rules to services. None: every request may go to every backend.</summary>
    public List<HttpRule> Rules { get; set; } = [];
    /// <summary>The service for requests no rule matches (an Ingress' defaultBackend); none answers 404.</summary>
    public string? DefaultService { get; set; }
    /// <summary>Certificates by host (SNI). Served on <see cref="TlsPort"/> of the router's address.</summary>
    public List<TlsBinding> Tls { get; set; } = [];
    /// <summary>The TLS port on the router's virtual IP (443 for an Ingress); null: no TLS listener.</summary>
    public int? TlsPort { get; set; }
    /// <summary>Also publish the TLS port on this host port.</summary>
    public int? TlsHostPort { get; set; }
}

/// <summary>
/// A request whose header <see cref="Header"/> matches <see cref="Value"/> (exact, prefix or regex, as
/// Argo's setHeaderRoute) goes to the backends of version <see cref="Group"/>, whatever their weight.
/// </summary>
public sealed record HeaderRoute
{
    public required string Header { get; set; }
    /// <summary>exact, prefix or regex.</summary>
    public string Match { get; set; } = "exact";
    public required string Value { get; set; }
    public required string Group { get; set; }
}

/// <summary>
/// A Kubernetes Ingress rule path: requests for <see cref="Host"/> (exact, a "*.example.com" wildcard of
/// one label, or empty for any host) whose path matches <see cref="Path"/> go to <see cref="Service"/>.
/// </summary>
public sealed record HttpRule
{
    public string? Host { get; set; }
    public string Path { get; set; } = "/";
    /// <summary>Exact or Prefix (ImplementationSpecific is read as Prefix).</summary>
    public string PathType { get; set; } = "Prefix";
    public required string Service { get; set; }
}

/// <summary>The certificate and key in <see cref="Secret"/> (tls.crt and tls.key, or one PEM with both) serve <see cref="Hosts"/>.</summary>
public sealed record TlsBinding
{
    /// <summary>Hosts this certificate is for; empty: the default certificate.</summary>
    public List<string> Hosts { get; set; } = [];
    public required string Secret { get; set; }
}
