using GitOps.Runtime.Images;
using GitOps.Runtime.Secrets;

namespace GitOps.Runtime.Containers;

/// <summary>docker create's input: what the user asked for, before image defaults are merged in.</summary>
public sealed record CreateRequest
{
    public required string Image { get; set; }
    public string? Name { get; set; }
    /// <summary>Replaces the image's CMD when non-empty.</summary>
    public IReadOnlyList<string>? Cmd { get; set; }
    /// <summary>Replaces the image's ENTRYPOINT; [""] resets it.</summary>
    public IReadOnlyList<string>? Entrypoint { get; set; }
    public IReadOnlyList<string> Env { get; set; } = [];
    public string? WorkingDir { get; set; }
    public string? User { get; set; }
    public string? Hostname { get; set; }
    public string? Domainname { get; set; }
    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    public bool StdinOnce { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public string? StopSignal { get; set; }
    public int? StopTimeout { get; set; }
    public HealthConfig? Healthcheck { get; set; }
    /// <summary>Ports to expose besides the image's EXPOSE (docker run --expose), as "80/tcp".</summary>
    public IReadOnlyList<string> ExposedPorts { get; set; } = [];
    /// <summary>Docker's NetworkingConfig.EndpointsConfig: network → aliases and static address.</summary>
    public Dictionary<string, Networking.EndpointRequest> Networks { get; set; } = [];
    public HostConfig HostConfig { get; set; } = new();
    /// <summary>Secrets and configs as files (docker service create --secret/--config), and variables from them.</summary>
    public IReadOnlyList<SecretReference> Secrets { get; set; } = [];
    public IReadOnlyList<SecretReference> Configs { get; set; } = [];
    public IReadOnlyList<SecretEnv> SecretEnv { get; set; } = [];
    public IReadOnlyList<SecretEnvFrom> SecretEnvFrom { get; set; } = [];
    /// <summary>Kubernetes' environment rules, resolved at each start; null for Docker's (Env as given).</summary>
    public KubeEnv? KubeEnv { get; set; }
}
