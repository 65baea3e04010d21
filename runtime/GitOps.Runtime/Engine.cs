using GitOps.Runtime.Cgroups;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Events;
using GitOps.Runtime.Exec;
using GitOps.Runtime.Health;
using GitOps.Runtime.Housekeeping;
using GitOps.Runtime.Images;
using GitOps.Runtime.Images.Registry;
using GitOps.Runtime.Init;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Logs;
using GitOps.Runtime.Secrets;
using GitOps.Runtime.Storage;
using GitOps.Runtime.Volumes;

namespace GitOps.Runtime;

public sealed record EngineOptions
{
    public string Root { get; init; } = "/var/lib/gitops";
    /// <summary>The embedded container-init helper (an ELF image); without it this executable runs container-init.</summary>
    public Func<Stream?>? InitHelperImage { get; init; }
    public ICgroupDriver? Cgroups { get; init; }
    public IReadOnlyList<IContainerStartHook> Hooks { get; init; } = [];
    public RegistryOptions Registry { get; init; } = new();
    /// <summary>This node's name (Kubernetes spec.nodeName); the host's name when not given.</summary>
    public string? NodeName { get; init; }
}

/// <summary>One container engine instance: images, containers, exec sessions and events under one root.</summary>
public sealed class Engine : IDisposable
{
    readonly SafeFd _lock;
    readonly InitBinary _init;

    public Engine(EngineOptions options)
    {
        Paths = new EnginePaths(options.Root);
        Paths.EnsureCreated();
        _lock = Sys.Open(Paths.LockFile, Sys.O_RDWR | Sys.O_CREAT, 0x180);
        if (!Sys.TryLockExclusive(_lock))
            throw new InvalidOperationException($"another gitops daemon is using {Paths.Root}");
        Events = new EventBus();
        Images = new ImageStore(Paths);
        Registry = options.Registry;
        Credentials = new CredentialStore(Path.Combine(Paths.Root, "credentials.json"));
        Cgroups = options.Cgroups ?? CgroupDetector.Detect(Paths.InstanceName);
        Pump = new OutputPump();
        Networks = new Networking.NetworkManager(Paths, Events);
        Networks.Initialize();
        using (var image = options.InitHelperImage?.Invoke())
            _init = image is not null ? InitBinary.FromImage(image)
                : InitBinary.FromSelf(Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell where this binary is"));
        Volumes = new VolumeStore(Paths, Events);
        Secrets = new SecretStore(Paths, Events);
        Node = new NodeInfo(options.NodeName);
        // http routers with TLS read their certificates from the secret store.
        Networks.TlsSecrets = new TlsSecretSource(Secrets);
        Containers = new ContainerManager(Paths, Images, Cgroups, Events, Pump, _init, [Networks, .. options.Hooks], FindTini(), Networks,
            new ContainerStorage(Paths, Volumes, Secrets)) { Node = Node };
        Execs = new ExecManager(Containers, Pump);
        Health = new HealthMonitor(Containers, Execs);
        Containers.Observe(Health);
        // Routers send new connections only to backends that are healthy (or have no check), and
        // recompute their rules when a backend's health changes.
        Networks.BackendReady = id => Containers.Find(id) is not { } c || HealthRules.IsReady(c);
        Health.Changed += change => Networks.BackendHealthChanged(change.ContainerId);
        // The network layer owns networks; system prune reaches them through it.
        Housekeeping = new Housekeeper(Paths, Images, Containers, Volumes) { Networks = Networks };
    }

    public EnginePaths Paths { get; }
    /// <summary>This machine as a node: the one place its name and address come from.</summary>
    public NodeInfo Node { get; }
    public EventBus Events { get; }
    public ImageStore Images { get; }
    public RegistryOptions Registry { get; }
    /// <summary>Registry logins, root-only (0600) under the engine's root.</summary>
    public CredentialStore Credentials { get; }
    public ImagePuller Puller => new(Images, Registry, Credentials);
    public ImagePusher Pusher => new(Images, Registry, Credentials);
    /// <summary>A Dockerfile builder for one build.</summary>
    public Images.Build.ImageBuilder NewBuilder() => new(Images, Containers, () => Puller, Paths);
    public ICgroupDriver Cgroups { get; }
    public OutputPump Pump { get; }
    public ContainerManager Containers { get; }
    public ExecManager Execs { get; }
    /// <summary>Health checks; subscribe to <see cref="HealthMonitor.Changed"/> to react to health.</summary>
    public HealthMonitor Health { get; }
    public Networking.NetworkManager Networks { get; }
    public VolumeStore Volumes { get; }
    /// <summary>Secrets and configs.</summary>
    public SecretStore Secrets { get; }
    /// <summary>system df and the prune verbs.</summary>
    public Housekeeper Housekeeping { get; }

    /// <summary>Re-adopts running containers, cleans leftovers and applies restart policies.</summary>
    public void Start() => Containers.Restore();

    /// <summary>docker run --init uses tini; Debian ships a static build.</summary>
    static string? FindTini() =>
        new[] { "/usr/bin/tini-static", "/usr/bin/docker-init", "/usr/bin/tini" }.FirstOrDefault(File.Exists);

    public void Dispose()
    {
        Health.Dispose();
        Containers.Dispose();
        Networks.Dispose();
        Pump.Dispose();
        _init.Dispose();
        _lock.Dispose();
    }
}
