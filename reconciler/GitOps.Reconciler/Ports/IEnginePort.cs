namespace GitOps.Reconciler.Ports;

/// <summary>
/// What the reconciler needs of a container engine, in its own terms: read what runs (containers, networks,
/// volumes, routers, secrets, with the labels the reconciler put on them) and carry out plan steps. The local
/// engine is one implementation (<see cref="Local.LocalEngine"/>); a cluster of nodes is meant to be another,
/// and the unit tests drive the planner, executor, journal and drift through a recording fake.
/// Removals are idempotent (gone already is fine); every other failure is an <see cref="EngineFailure"/>.
/// </summary>
internal interface IEnginePort
{
    /// <summary>Every container, managed or not (a port held by another one is reported by name).</summary>
    IReadOnlyList<ContainerView> Containers();

    /// <summary>A container by name or id, or null.</summary>
    ContainerView? FindContainer(string nameOrId);

    IReadOnlyList<NetworkView> Networks();
    IReadOnlyList<VolumeView> Volumes();
    IReadOnlyList<RouterView> Routers();
    IReadOnlyList<ObjectView> Objects(bool config);

    /// <summary>Whether the image is present locally (a pull can be skipped).</summary>
    bool HasImage(string image);

    void CreateNetwork(NetworkSpec spec);
    void RemoveNetwork(string nameOrId);
    void CreateVolume(VolumeSpec spec);
    void RemoveVolume(string name);
    /// <summary>Stores the content (a new version when one exists); the engine keeps secrets encrypted.</summary>
    void EnsureObject(ObjectSpec spec);
    void RemoveObject(bool config, string nameOrId);

    Task PullImageAsync(string image, string? platform, CancellationToken ct);
    Task BuildImageAsync(ImageBuildSpec spec, CancellationToken ct);

    /// <summary>Creates (does not start) one container of a replica; returns its id.</summary>
    string CreateContainer(ContainerSpec spec);
    Task StartContainerAsync(string nameOrId, CancellationToken ct);
    /// <summary>Starts the container's namespaces without running its command, so others can join its network first.</summary>
    Task StartHeldAsync(string nameOrId, CancellationToken ct);
    /// <summary>Lets a held container's command run.</summary>
    Task ReleaseAsync(string nameOrId, CancellationToken ct);
    /// <param name="timeoutSeconds">SIGKILL after this long; null: the container's own stop timeout.</param>
    Task StopContainerAsync(string nameOrId, int? timeoutSeconds, CancellationToken ct);
    /// <summary>Removes the container (forcibly, when it runs).</summary>
    Task RemoveContainerAsync(string nameOrId, CancellationToken ct);
    void RenameContainer(string id, string name);
    /// <summary>Waits until the container is not running; returns its exit code.</summary>
    Task<int> WaitExitAsync(string nameOrId, CancellationToken ct);

    void CreateRouter(RouterSpec spec);
    void SetRouterBackends(string name, IReadOnlyList<RouterBackend> backends);
    void RemoveRouter(string name);

    /// <summary>An application event for <c>gitops events</c>.</summary>
    void PublishEvent(string type, string action, string id, IReadOnlyDictionary<string, string> attributes);
}

/// <summary>
/// An engine operation failed (refused, conflicting, unreachable). Carries the engine's message only: how an API
/// reports it is the API's business.
/// </summary>
internal sealed class EngineFailure(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The thing named does not exist.</summary>
    public bool NotFound { get; init; }
}
