using GitOps.Runtime.Containers;
using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.Storage;

/// <summary>
/// Turns a create request's -v, --mount, --tmpfs, --volumes-from and the image's VOLUME paths into
/// the container's mount points, with Docker's precedence (explicit mounts, then volumes-from, then
/// image volumes, each destination once) and Docker's messages. Every error is collected; volumes
/// are created and marked in use only once nothing is wrong, and <see cref="Undo"/> takes that back
/// if the create fails later.
/// </summary>
internal sealed class MountPlanner(VolumeStore volumes, string containerId)
{
    readonly List<string> _errors = [];
    readonly List<MountPoint> _mounts = [];
    readonly List<(MountPoint Mount, MountRequest Request)> _pendingVolumes = [];
    readonly List<string> _used = [];
    readonly List<string> _created = [];

    public IReadOnlyList<string> Errors => _errors;

    public IReadOnlyList<MountPoint> Plan(HostConfig h, IReadOnlyList<string> imageVolumes, Func<string, Container?> findContainer)
    {
        foreach (var raw in h.Binds)
        {
            if (MountSyntax.ParseBind(raw, _errors) is { } parsed)
                Add(parsed.Request, parsed.Mode, $"invalid volume specification: '{raw}': ");
        }
        foreach (var m in h.Mounts) Add(m, "", "");
        foreach (var (path, options) in h.Tmpfs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (Destination(path, "tmpfs", "") is not { } dest) continue;
            if (MountSyntax.ParseTmpfs(dest, options, _errors) is { } mp) Claim(mp);
        }
        foreach (var from in h.VolumesFrom) AddVolumesFrom(from, findContainer);
        foreach (var path in imageVolumes)
        {
            var dest = ContainerPath.Clean(path);
            if (!dest.StartsWith('/') || dest == "/" || _mounts.Any(m => m.Destination == dest)) continue;
            Claim(new MountPoint { Type = MountPoint.VolumeType, Destination = dest, Driver = VolumeStore.LocalDriver, CopyData = true },
                new MountRequest { Type = MountPoint.VolumeType, Target = dest });
        }
        if (_errors.Count > 0) return [];

        // Nothing is wrong: now volumes are created (named ones if missing, anonymous ones always)
        // and counted as used by this container.
        var result = new List<MountPoint>();
        foreach (var m in _mounts)
        {
            var pending = _pendingVolumes.FirstOrDefault(p => ReferenceEquals(p.Mount, m));
            if (pending.Mount is null) { result.Add(m); continue; }
            var r = pending.Request;
            var labels = new Dictionary<string, string>(r.VolumeOptions?.Labels ?? [], StringComparer.Ordinal);
            if (m.Name is null) labels[VolumeRecord.AnonymousLabel] = "";
            try
            {
                var (record, created) = volumes.Use(m.Name, containerId, labels, r.VolumeOptions?.DriverConfig?.Options, r.VolumeOptions?.DriverConfig?.Name);
                _used.Add(record.Name);
                if (created) _created.Add(record.Name);
                result.Add(m with { Name = record.Name, Source = volumes.Mountpoint(record.Name) });
            }
            catch (EngineException e) { _errors.Add(e.Message); }
        }
        return result.OrderBy(m => ContainerPath.Depth(m.Destination)).ToList();
    }

    /// <summary>Releases what <see cref="Plan"/> took: uses, and the volumes it created.</summary>
    public void Undo()
    {
        foreach (var name in _used) volumes.Release(name, containerId);
        foreach (var name in _created)
        {
            try { volumes.Remove(name); }
            catch (EngineException) { } // someone else started using it meanwhile: theirs now
        }
    }

    string? Destination(string target, string type, string prefix)
    {
        if (!target.StartsWith('/'))
        {
            _errors.Add($"{prefix}invalid mount config for type \"{type}\": invalid mount path: '{target}' mount path must be absolute");
            return null;
        }
        var dest = ContainerPath.Clean(target);
        if (dest == "/")
        {
            _errors.Add($"{prefix}invalid mount config for type \"{type}\": invalid specification: destination can't be '/'");
            return null;
        }
        return dest;
    }

    void Claim(MountPoint mount, MountRequest? volumeRequest = null)
    {
        if (_mounts.Any(m => m.Destination == mount.Destination))
        {
            _errors.Add($"Duplicate mount point: {mount.Destination}");
            return;
        }
        _mounts.Add(mount);
        if (volumeRequest is not null) _pendingVolumes.Add((mount, volumeRequest));
    }

    void Add(MountRequest r, string mode, string prefix)
    {
        var type = r.Type;
        if (type is not (MountPoint.VolumeType or MountPoint.BindType or MountPoint.TmpfsType))
        {
            _errors.Add($"{prefix}invalid mount config for type \"{type}\": mount type unknown (expected volume, bind or tmpfs)");
            return;
        }
        var dest = Destination(r.Target, type, prefix);
        string Config(string message) => $"{prefix}invalid mount config for type \"{type}\": {message}";
        if (r.Consistency is { Length: > 0 } c && c is not ("consistent" or "cached" or "delegated" or "default"))
            _errors.Add(Config($"unknown consistency \"{c}\""));
        switch (type)
        {
            case MountPoint.VolumeType:
            {
                if (r.BindOptions is not null) _errors.Add(Config("field BindOptions must not be specified"));
                if (r.TmpfsOptions is not null) _errors.Add(Config("field TmpfsOptions must not be specified"));
                var name = string.IsNullOrEmpty(r.Source) ? null : r.Source;
                if (name is not null && !VolumeStore.IsValidName(name)) _errors.Add(prefix + VolumeStore.InvalidNameMessage(name));
                var sub = r.VolumeOptions?.Subpath;
                if (sub is { Length: > 0 } && !ContainerPath.IsContainedRelative(sub)) _errors.Add(Config($"subpath \"{sub}\" must be a relative path within the volume"));
                if (r.VolumeOptions?.DriverConfig?.Name is { Length: > 0 } driver && driver != VolumeStore.LocalDriver)
                    _errors.Add($"error looking up volume plugin {driver}: plugin \"{driver}\" not found (only the local driver exists)");
                if (dest is null) return;
                Claim(new MountPoint
                {
                    Type = MountPoint.VolumeType,
                    Name = name,
                    Destination = dest,
                    Driver = VolumeStore.LocalDriver,
                    Mode = mode,
                    RW = !r.ReadOnly,
                    // Docker copies the image's content into a volume, but not into a subpath of one.
                    CopyData = r.VolumeOptions?.NoCopy != true && string.IsNullOrEmpty(sub),
                    SubPath = string.IsNullOrEmpty(sub) ? null : ContainerPath.Clean(sub),
                }, r);
                return;
            }
            case MountPoint.BindType:
            {
                if (r.VolumeOptions is not null) _errors.Add(Config("field VolumeOptions must not be specified"));
                if (r.TmpfsOptions is not null) _errors.Add(Config("field TmpfsOptions must not be specified"));
                var propagation = r.BindOptions?.Propagation;
                if (propagation is { Length: > 0 } && propagation is not ("private" or "rprivate"))
                    _errors.Add(Config($"propagation \"{propagation}\" is not supported: mounts are always rprivate in this engine"));
                if (string.IsNullOrEmpty(r.Source))
                {
                    _errors.Add(Config("field Source must not be empty"));
                    return;
                }
                if (!r.Source.StartsWith('/'))
                {
                    _errors.Add(Config($"invalid mount path: '{r.Source}' mount path must be absolute"));
                    return;
                }
                var source = Path.GetFullPath(r.Source);
                var create = r.BindOptions?.CreateMountpoint == true;
                if (!create && !File.Exists(source) && !Directory.Exists(source) && !Linux.Sys.TryLstat(source, out _, out _))
                    _errors.Add(Config($"bind source path does not exist: {source}"));
                if (dest is null) return;
                Claim(new MountPoint
                {
                    Type = MountPoint.BindType,
                    Source = source,
                    Destination = dest,
                    Mode = mode,
                    RW = !r.ReadOnly,
                    Propagation = "rprivate",
                    CreateHostPath = create,
                    NonRecursive = r.BindOptions?.NonRecursive == true,
                });
                return;
            }
            default: // tmpfs
            {
                if (!string.IsNullOrEmpty(r.Source)) _errors.Add(Config("field Source must not be specified"));
                if (r.BindOptions is not null) _errors.Add(Config("field BindOptions must not be specified"));
                if (r.VolumeOptions is not null) _errors.Add(Config("field VolumeOptions must not be specified"));
                var t = r.TmpfsOptions;
                if (t is not null && t.SizeBytes < 0) _errors.Add(Config("invalid tmpfs size"));
                if (t is not null && t.Mode > 0xFFF) _errors.Add(Config($"invalid tmpfs mode {Convert.ToString(t.Mode, 8)}"));
                if (dest is null) return;
                var options = new List<string> { "noexec" };
                if (r.ReadOnly) options.Add("ro");
                if (t is { SizeBytes: > 0 }) options.Add($"size={t.SizeBytes}");
                if (t is { Mode: > 0 }) options.Add($"mode={Convert.ToString(t.Mode, 8)}");
                Claim(new MountPoint { Type = MountPoint.TmpfsType, Destination = dest, RW = !r.ReadOnly, TmpfsOptions = options });
                return;
            }
        }
    }

    /// <summary>--volumes-from NAME[:ro|:rw]: that container's volumes and binds, unless a destination is taken.</summary>
    void AddVolumesFrom(string spec, Func<string, Container?> findContainer)
    {
        var colon = spec.LastIndexOf(':');
        var (name, mode) = colon > 0 ? (spec[..colon], spec[(colon + 1)..]) : (spec, "");
        if (mode is not ("" or "ro" or "rw"))
        {
            _errors.Add($"invalid mode for volumes-from: {mode}");
            return;
        }
        var other = findContainer(name);
        if (other is null)
        {
            _errors.Add($"No such container: {name}");
            return;
        }
        foreach (var m in other.Config.Mounts.Where(m => m.Type is MountPoint.VolumeType or MountPoint.BindType))
        {
            if (_mounts.Any(x => x.Destination == m.Destination)) continue;
            var copy = m with { RW = mode == "" ? m.RW : mode == "rw", CopyData = false };
            Claim(copy, m.Type == MountPoint.VolumeType ? new MountRequest { Type = MountPoint.VolumeType, Source = m.Name, Target = m.Destination } : null);
        }
    }
}
