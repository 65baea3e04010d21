using System.Text;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Events;
using GitOps.Runtime.Images;
using GitOps.Runtime.Init;
using GitOps.Runtime.Secrets;
using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.Storage;

/// <summary>
/// The storage side of a container's life: at create, its mounts and secret references are
/// resolved and validated (volumes created, uses recorded); at each start, volumes are filled from
/// the image when new, driver-option volumes mounted, secret values decrypted into the init spec;
/// at exit, host mounts released; at removal, uses released and anonymous volumes removed when asked.
/// </summary>
public sealed class ContainerStorage(EnginePaths paths, VolumeStore volumes, SecretStore secrets)
{
    public VolumeStore Volumes => volumes;
    public SecretStore Secrets => secrets;

    // ---- create ------------------------------------------------------------------------------

    /// <summary>Resolves everything, or throws one <see cref="InvalidArgumentException"/> listing every problem (nothing is left behind).</summary>
    public StoragePlan Plan(string containerId, CreateRequest req, IReadOnlyList<string> imageVolumes, Func<string, Container?> findContainer)
    {
        var mounts = new MountPlanner(volumes, containerId);
        var refs = new SecretPlanner(secrets);
        var secretFiles = refs.Files(SecretKind.Secret, req.Secrets);
        var configFiles = refs.Files(SecretKind.Config, req.Configs);
        var env = refs.Env(req.SecretEnv);
        var envFrom = refs.EnvFrom(req.SecretEnvFrom);
        // Secrets first: if they are wrong, no volume gets created only to be removed again.
        IReadOnlyList<MountPoint> points = [];
        if (refs.Errors.Count == 0) points = mounts.Plan(req.HostConfig, imageVolumes, findContainer);
        var errors = refs.Errors.Concat(mounts.Errors).ToList();
        if (errors.Count == 0)
        {
            var clash = points.FirstOrDefault(p => secretFiles.Concat(configFiles).Any(s => s.Destination == p.Destination));
            if (clash is not null) errors.Add($"Duplicate mount point: {clash.Destination} (a mount and a secret or config)");
        }
        if (errors.Count > 0)
        {
            mounts.Undo();
            throw new InvalidArgumentException(string.Join("\n", errors.Distinct()));
        }
        foreach (var id in refs.Used) secrets.Use(id, containerId);
        return new StoragePlan(points, secretFiles, configFiles, env, envFrom);
    }

    /// <summary>The create failed after <see cref="Plan"/>: release its uses and remove the volumes it made.</summary>
    public void Abandon(string containerId, StoragePlan plan)
    {
        foreach (var id in Ids(plan.Secrets, plan.Configs, plan.SecretEnv, plan.SecretEnvFrom)) secrets.Release(id, containerId);
        foreach (var m in plan.Mounts.Where(m => m.Type == MountPoint.VolumeType && m.Name is not null))
        {
            volumes.Release(m.Name!, containerId);
            if (volumes.Find(m.Name!) is { IsAnonymous: true })
            {
                try { volumes.Remove(m.Name!); } catch (EngineException) { }
            }
        }
    }

    static IEnumerable<string> Ids(IReadOnlyList<SecretReference> a, IReadOnlyList<SecretReference> b, IReadOnlyList<SecretEnv> c, IReadOnlyList<SecretEnvFrom> d) =>
        a.Select(x => x.Id).Concat(b.Select(x => x.Id)).Concat(c.Select(x => x.Id)).Concat(d.Select(x => x.Id))
            .OfType<string>().Distinct(StringComparer.Ordinal);

    // ---- start -------------------------------------------------------------------------------

    /// <summary>
    /// Everything a start needs. Volumes with driver options are mounted on the host here; if this
    /// or anything after it fails, the caller must call <see cref="Stopped"/>.
    /// </summary>
    public PreparedStorage Prepare(ContainerConfig config, ResolvedImage image, ContainerFiles files)
    {
        var mounts = new List<MountSpec>();
        foreach (var m in config.Mounts)
        {
            var options = new List<string>();
            if (!m.RW) options.Add("ro");
            switch (m.Type)
            {
                case MountPoint.VolumeType:
                    var name = m.Name!;
                    volumes.Get(name);
                    volumes.Activate(name, config.Id);
                    if (m.CopyData)
                    {
                        lock (volumes.CopyLock(name))
                        {
                            var scratch = Path.Combine(paths.Tmp, "copy-up-" + GitOps.Runtime.Ids.New()[..16]);
                            ImageContentCopier.Populate(image.LayerDirs, m.Destination, volumes.Mountpoint(name), scratch);
                        }
                    }
                    mounts.Add(new MountSpec(m.Destination, "bind", volumes.Mountpoint(name), options, m.SubPath));
                    volumes.Publish("mount", name, ("container", config.Id), ("destination", m.Destination),
                        ("driver", VolumeStore.LocalDriver), ("propagation", m.Propagation), ("read/write", m.RW ? "true" : "false"));
                    break;
                case MountPoint.BindType:
                    if (!Linux.Sys.TryLstat(m.Source, out _, out _))
                    {
                        if (!m.CreateHostPath) throw new InvalidArgumentException($"invalid mount config for type \"bind\": bind source path does not exist: {m.Source}");
                        Directory.CreateDirectory(m.Source, (UnixFileMode)0x1ED);
                    }
                    if (m.NonRecursive) options.Add("norecursive");
                    mounts.Add(new MountSpec(m.Destination, "bind", m.Source, options));
                    break;
                default:
                    mounts.Add(new MountSpec(m.Destination, "tmpfs", null, m.TmpfsOptions));
                    break;
            }
        }
        var secretMounts = SecretMounts(config);
        string? staging = null;
        if (secretMounts.Count > 0)
        {
            staging = Path.Combine(files.Dir, "secrets");
            Directory.CreateDirectory(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // A Kubernetes environment is resolved when the process is released (it needs the pod's address).
        return new PreparedStorage(mounts, secretMounts, staging, config.KubeEnv is null ? Environment(config) : config.Env);
    }

    /// <summary>
    /// The files of secrets and configs, grouped by where they are mounted: /run/secrets holds all
    /// secret files below it (one directory, as Swarm does); a key-less reference to a multi-key
    /// object is a directory of its keys; anything else is a single file bound at its target.
    /// </summary>
    List<SecretMountSpec> SecretMounts(ContainerConfig config)
    {
        var runSecrets = new List<SecretFileSpec>();
        var result = new List<SecretMountSpec>();
        foreach (var (kind, r) in config.Secrets.Select(s => (SecretKind.Secret, s)).Concat(config.Configs.Select(c => (SecretKind.Config, c))))
        {
            var record = secrets.Find(kind, r.Id ?? r.Source) ?? throw new NotFoundException($"{kind.Noun()} not found: {r.Source}");
            var content = secrets.Reveal(record);
            var (uid, gid, mode) = (uint.Parse(r.UID), uint.Parse(r.GID), r.Mode ?? SecretPlanner.DefaultMode);
            var dest = r.Destination ?? throw new InvalidOperationException($"{kind.Noun()} {r.Source} has no destination");
            if (content.Items is { } items && r.Key is null)
            {
                var files = items.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new SecretFileSpec(kv.Key, kv.Value, uid, gid, mode)).ToList();
                result.Add(new SecretMountSpec(dest, IsDirectory: true, files));
                continue;
            }
            var data = r.Key is { } key
                ? content.Items?.GetValueOrDefault(key) ?? throw new NotFoundException($"couldn't find key {key} in {kind.Noun()} {record.Name}")
                : content.Value!;
            if (kind == SecretKind.Secret && ContainerPath.IsWithin(dest, SecretPlanner.SecretsDir) && dest != SecretPlanner.SecretsDir)
                runSecrets.Add(new SecretFileSpec(dest[(SecretPlanner.SecretsDir.Length + 1)..], data, uid, gid, mode));
            else
                result.Add(new SecretMountSpec(dest, IsDirectory: false, [new SecretFileSpec("", data, uid, gid, mode)]));
        }
        if (runSecrets.Count > 0) result.Add(new SecretMountSpec(SecretPlanner.SecretsDir, IsDirectory: true, runSecrets));
        // Parents before children: a directory mount must exist before a file is bound inside it.
        return result.OrderBy(m => ContainerPath.Depth(m.Destination)).ToList();
    }

    /// <summary>
    /// The container's environment with values from secrets and configs resolved now: variables
    /// of envFrom objects first, the configured variables over them, then single references over
    /// those (as Kubernetes orders env and envFrom). Used for the main process and for exec.
    /// Containers with <see cref="ContainerConfig.KubeEnv"/> are resolved by <see cref="KubeEnvironment"/>.
    /// </summary>
    public IReadOnlyList<string> Environment(ContainerConfig config)
    {
        if (config.SecretEnv.Count == 0 && config.SecretEnvFrom.Count == 0) return config.Env;
        var env = ConfigChanges.MergeEnv(ConfigChanges.MergeEnv([], EnvFromValues(config)), config.Env.Select(Split));
        var single = new List<KeyValuePair<string, string>>();
        foreach (var e in config.SecretEnv)
            if (SecretEnvValue(e) is { } value) single.Add(new(e.Name, value));
        return ConfigChanges.MergeEnv(env, single);
    }

    /// <summary>Every key of the container's envFrom objects as a variable (with its prefix), in order; a missing optional object adds none.</summary>
    public List<KeyValuePair<string, string>> EnvFromValues(ContainerConfig config)
    {
        var from = new List<KeyValuePair<string, string>>();
        foreach (var f in config.SecretEnvFrom)
        {
            var record = secrets.Find(f.Kind, f.Id ?? f.Source);
            if (record is null)
            {
                if (f.Optional) continue;
                throw new NotFoundException($"{f.Kind.Noun()} not found: {f.Source}");
            }
            foreach (var (key, value) in secrets.Reveal(record).Items ?? new Dictionary<string, byte[]>())
                from.Add(new(f.Prefix + key, Text(value, record, key)));
        }
        return from;
    }

    /// <summary>One secret or config reference's value; null when it is optional and the object or key is missing.</summary>
    public string? SecretEnvValue(SecretEnv e)
    {
        var record = secrets.Find(e.Kind, e.Id ?? e.Source);
        if (record is null)
        {
            if (e.Optional) return null;
            throw new NotFoundException($"{e.Kind.Noun()} not found: {e.Source}");
        }
        var content = secrets.Reveal(record);
        var value = e.Key is { } key ? content.Items?.GetValueOrDefault(key) : content.Value;
        if (value is null)
        {
            if (e.Optional) return null;
            throw new NotFoundException($"couldn't find key {e.Key} in {e.Kind.Noun()} {record.Name}");
        }
        return Text(value, record, e.Key);
    }

    static KeyValuePair<string, string> Split(string e)
    {
        var i = e.IndexOf('=');
        return i < 0 ? new(e, "") : new(e[..i], e[(i + 1)..]);
    }

    static string Text(byte[] value, SecretRecord record, string? key)
    {
        if (value.Contains((byte)0))
            throw new InvalidArgumentException($"{record.Kind.Noun()} {record.Name}{(key is null ? "" : " key " + key)} contains a NUL byte and cannot be an environment variable");
        return Encoding.UTF8.GetString(value);
    }

    // ---- stop, remove, restore ---------------------------------------------------------------

    /// <summary>The container's process ended (or never started): host mounts it held are released.</summary>
    public void Stopped(ContainerConfig config)
    {
        foreach (var m in config.Mounts.Where(m => m.Type == MountPoint.VolumeType && m.Name is not null))
        {
            volumes.Deactivate(m.Name!, config.Id);
        }
    }

    /// <summary>
    /// The container is gone: its uses are released and, with <paramref name="removeAnonymousVolumes"/>
    /// (rm -v, --rm), its anonymous volumes that no other container uses are removed. Named volumes stay.
    /// </summary>
    public void Removed(ContainerConfig config, bool removeAnonymousVolumes)
    {
        foreach (var id in Ids(config.Secrets, config.Configs, config.SecretEnv, config.SecretEnvFrom)) secrets.Release(id, config.Id);
        foreach (var m in config.Mounts.Where(m => m.Type == MountPoint.VolumeType && m.Name is not null))
        {
            volumes.Deactivate(m.Name!, config.Id);
            volumes.Release(m.Name!, config.Id);
            if (!removeAnonymousVolumes || volumes.Find(m.Name!) is not { IsAnonymous: true }) continue;
            try { volumes.Remove(m.Name!); }
            catch (ConflictException) { } // still used by another container (volumes-from): Docker keeps it too
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"removing volume {m.Name}: {e.Message}");
            }
        }
    }

    /// <summary>At daemon start: uses of every existing container, and host mounts of the running ones.</summary>
    public void Restore(IReadOnlyList<Container> containers)
    {
        var running = new List<(string, string)>();
        foreach (var c in containers)
        {
            foreach (var id in Ids(c.Config.Secrets, c.Config.Configs, c.Config.SecretEnv, c.Config.SecretEnvFrom)) secrets.Use(id, c.Id);
            foreach (var m in c.Config.Mounts.Where(m => m.Type == MountPoint.VolumeType && m.Name is not null))
            {
                volumes.Restore(m.Name!, c.Id);
                if (c.State.Running) running.Add((m.Name!, c.Id));
            }
        }
        volumes.RestoreMounts(running);
    }
}
