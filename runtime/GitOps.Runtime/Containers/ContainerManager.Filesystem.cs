using System.Text.Json;
using GitOps.Runtime.Images;
using GitOps.Runtime.Linux;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Containers;

/// <summary>A path that changed in a container's writable layer: A(dded), C(hanged) or D(eleted).</summary>
public sealed record FileChange(string Kind, string Path);

public sealed partial class ContainerManager
{
    /// <summary>docker diff: what the writable layer adds to, changes in or deletes from the image.</summary>
    public IReadOnlyList<FileChange> Diff(string idOrName)
    {
        var c = Get(idOrName);
        var image = _images.Resolve(c.Config.ImageId);
        var lowers = new List<string> { c.Files.InitLayer };
        lowers.AddRange(image.LayerDirs.Reverse());
        var changes = new List<FileChange>();
        WalkUpper(c.Files.Upper, "", lowers, changes, parentAdded: false);
        return changes.OrderBy(x => x.Path, StringComparer.Ordinal).ToList();
    }

    static void WalkUpper(string upper, string rel, IReadOnlyList<string> lowers, List<FileChange> changes, bool parentAdded)
    {
        var dir = rel.Length == 0 ? upper : upper + rel;
        if (!Directory.Exists(dir)) return;
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
        {
            var path = rel + "/" + Path.GetFileName(entry);
            var st = Sys.Lstat(entry);
            if (st.IsOverlayWhiteout)
            {
                changes.Add(new FileChange("D", path));
                continue;
            }
            var inLower = !parentAdded && lowers.Any(l => Sys.TryLstat(l + path, out _, out _));
            changes.Add(new FileChange(inLower ? "C" : "A", path));
            if (st.IsDirectory) WalkUpper(upper, path, lowers, changes, parentAdded: !inLower);
        }
    }

    /// <summary>docker commit: the writable layer becomes a new image layer on top of the container's image.</summary>
    public async Task<ImageRecord> CommitAsync(string idOrName, ImageReference? tag, string? comment, string? author,
        IReadOnlyList<string> changes, bool pause, CancellationToken ct = default)
    {
        var c = Get(idOrName);
        var baseRecord = _images.Get(c.Config.ImageId);
        var baseConfig = _images.GetConfig(baseRecord.Id);
        var baseManifest = JsonSerializer.Deserialize(_images.ReadBlob(Digest.Parse(baseRecord.ManifestDigest)), RuntimeJson.Default.ImageManifest)
                           ?? throw new InvalidDataException("image manifest is empty");
        var frozen = pause && c.Process is { } p ? p.Cgroup : null;
        frozen?.Freeze();
        (Descriptor Layer, string DiffId) packed;
        try { packed = await PackWritableLayerAsync(c.Id, ct).ConfigureAwait(false); }
        finally { frozen?.Thaw(); }
        var diffId = packed.DiffId;
        var cc = c.Config;
        var runtime = baseConfig.Config with
        {
            Cmd = cc.Cmd,
            Entrypoint = cc.Entrypoint,
            Env = cc.Env,
            WorkingDir = cc.WorkingDir,
            User = cc.User,
            Labels = cc.Labels.Count == 0 ? null : cc.Labels,
            StopSignal = cc.StopSignal == "SIGTERM" ? baseConfig.Config.StopSignal : cc.StopSignal,
        };
        runtime = ConfigChanges.Apply(runtime, changes);
        var now = DateTimeOffset.UtcNow;
        var config = baseConfig with
        {
            Created = now,
            Author = author ?? baseConfig.Author,
            Config = runtime,
            RootFs = new RootFs("layers", [.. baseConfig.RootFs.DiffIds, diffId]),
            History = [.. baseConfig.History ?? [], new HistoryEntry(now, string.Join(' ', [cc.Path, .. cc.Args]), author, comment)],
        };
        var layers = baseManifest.Layers.Append(packed.Layer).ToList();
        return _images.AddImage(config, layers, tag is null ? [] : [tag]);
    }

    /// <summary>
    /// The container's writable layer as an image layer in the store: the overlay upper directory
    /// packed as an OCI diff (whiteouts translated), stored uncompressed (blob digest = diff ID).
    /// Commit and the Dockerfile builder's RUN both make their layers here.
    /// </summary>
    public async Task<(Descriptor Layer, string DiffId)> PackWritableLayerAsync(string idOrName, CancellationToken ct = default)
    {
        var c = Get(idOrName);
        return await _images.AddLayerFromDirectoryAsync(c.Files.Upper, overlayUpper: true, ct).ConfigureAwait(false);
    }

    /// <summary>docker top: ps -ef for the container's processes.</summary>
    public (IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes) Top(string idOrName)
    {
        var pids = Pids(idOrName);
        var users = ReadUserNames();
        var ticks = 100.0; // USER_HZ
        var boot = BootTime();
        var rows = new List<IReadOnlyList<string>>();
        foreach (var pid in pids.Order())
        {
            if (ProcStat.Read(pid) is not { } st) continue;
            var uid = ReadUid(pid);
            var cpu = TimeSpan.FromSeconds((st.UserTicks + st.SystemTicks) / ticks);
            var started = boot.AddSeconds(st.StartTime / ticks).ToLocalTime();
            string cmd;
            try
            {
                var raw = File.ReadAllText($"/proc/{pid}/cmdline");
                cmd = raw.Length == 0 ? $"[{st.Comm}]" : raw.TrimEnd('\0').Replace('\0', ' ');
            }
            catch (IOException) { cmd = $"[{st.Comm}]"; }
            rows.Add([users.GetValueOrDefault(uid, uid.ToString()), pid.ToString(), st.ParentPid.ToString(), "0",
                started.ToString("HH:mm"), "?", $"{(int)cpu.TotalHours:00}:{cpu.Minutes:00}:{cpu.Seconds:00}", cmd]);
        }
        return (["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], rows);
    }

    static uint ReadUid(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return line is null ? 0 : uint.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (IOException) { return 0; }
    }

    static Dictionary<uint, string> ReadUserNames()
    {
        var map = new Dictionary<uint, string>();
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length > 2 && uint.TryParse(f[2], out var uid)) map.TryAdd(uid, f[0]);
            }
        }
        catch (IOException) { }
        return map;
    }

    static DateTimeOffset BootTime()
    {
        var line = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("btime ", StringComparison.Ordinal));
        return DateTimeOffset.FromUnixTimeSeconds(line is null ? 0 : long.Parse(line[6..]));
    }
}
