using GitOps.Runtime.Init;

namespace GitOps.Runtime.Cgroups;

/// <summary>cgroup v1 or v2, chosen once at daemon start.</summary>
public interface ICgroupDriver
{
    int Version { get; }
    /// <summary>Creates the container's cgroup and applies its limits.</summary>
    ICgroup Create(string id, ResourceLimits limits);
    /// <summary>The cgroup of an existing container (for re-adoption and cleanup); it may not exist.</summary>
    ICgroup Open(string id);
    /// <summary>IDs of the container cgroups this instance has on the host.</summary>
    IReadOnlyList<string> List();
    CgroupMountSpec MountSpec { get; }
}

public interface ICgroup
{
    string Id { get; }
    bool Exists { get; }
    void Apply(ResourceLimits limits);
    /// <summary>Moves a process (all its threads) into the cgroup.</summary>
    void AddProcess(int pid);
    /// <summary>
    /// Moves only the calling thread (v1's tasks file), so that a process it spawns is born in the
    /// cgroup. False where the hierarchy has no such thing (v2 outside threaded mode).
    /// </summary>
    bool TryAddCurrentThread();
    IReadOnlyList<int> Processes();
    /// <summary>Whether the kernel's OOM killer has killed a process of this cgroup.</summary>
    bool OomKilled();
    /// <summary>SIGKILLs every process in the cgroup and waits until it is empty.</summary>
    void KillAll();
    /// <summary>Removes the cgroup; the caller has made sure it is empty.</summary>
    void Delete();
    CgroupStats Stats();
    /// <summary>Stops every process of the cgroup where it is (pause, and a consistent commit).</summary>
    void Freeze();
    void Thaw();
}
