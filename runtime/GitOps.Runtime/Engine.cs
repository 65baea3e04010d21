using GitOps.Runtime.Cgroups;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Events;
using GitOps.Runtime.Exec;
using GitOps.Runtime.Images;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Logs;

namespace GitOps.Runtime;

public sealed record EngineOptions
{
    public string Root { get; init; } = "/var/lib/gitops";
    /// <summary>The binary started as container-init: this process's own executable by default.</summary>
    public string? InitBinary { get; init; }
    public ICgroupDriver? Cgroups { get; init; }
    public IReadOnlyList<IContainerStartHook> Hooks { get; init; } = [];
}

/// <summary>One container engine instance: images, containers, exec sessions and events under one root.</summary>
public sealed class Engine : IDisposable
{
    readonly SafeFd _lock;

    public Engine(EngineOptions options)
    {
        Paths = new EnginePaths(options.Root);
        Paths.EnsureCreated();
        _lock = Sys.Open(Paths.LockFile, Sys.O_RDWR | Sys.O_CREAT, 0x180);
        if (!Sys.TryLockExclusive(_lock))
            throw new InvalidOperationException($"another gitops daemon is using {Paths.Root}");
        Events = new EventBus();
        Images = new ImageStore(Paths);
        Cgroups = options.Cgroups ?? CgroupDetector.Detect(Paths.InstanceName);
        Pump = new OutputPump();
        var init = options.InitBinary ?? Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell where this binary is");
        Containers = new ContainerManager(Paths, Images, Cgroups, Events, Pump, init, options.Hooks, FindTini());
        Execs = new ExecManager(Containers, Pump);
    }

    public EnginePaths Paths { get; }
    public EventBus Events { get; }
    public ImageStore Images { get; }
    public ICgroupDriver Cgroups { get; }
    public OutputPump Pump { get; }
    public ContainerManager Containers { get; }
    public ExecManager Execs { get; }

    /// <summary>Re-adopts running containers, cleans leftovers and applies restart policies.</summary>
    public void Start() => Containers.Restore();

    /// <summary>docker run --init uses tini; Debian ships a static build.</summary>
    static string? FindTini() =>
        new[] { "/usr/bin/tini-static", "/usr/bin/docker-init", "/usr/bin/tini" }.FirstOrDefault(File.Exists);

    public void Dispose()
    {
        Containers.Dispose();
        Pump.Dispose();
        _lock.Dispose();
    }
}
