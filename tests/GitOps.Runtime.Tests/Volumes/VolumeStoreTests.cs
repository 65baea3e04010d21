using GitOps.Runtime.Events;
using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.Tests.Volumes;

/// <summary>The volume store's bookkeeping: names, options, uses, removal and prune.</summary>
public sealed class VolumeStoreTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("gitops-volumes-").FullName;
    readonly EnginePaths _paths;
    readonly VolumeStore _store;

    public VolumeStoreTests()
    {
        _paths = new EnginePaths(_root);
        _paths.EnsureCreated();
        _store = new VolumeStore(_paths, new EventBus());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Create_is_idempotent_and_survives_a_new_store()
    {
        var v = _store.Create("data", labels: new Dictionary<string, string> { ["app"] = "pets" });
        Assert.True(Directory.Exists(_store.Mountpoint("data")));
        Assert.Equal(Path.Combine(_root, "volumes", "data", "_data"), _store.Mountpoint("data"));
        Assert.Same(v, _store.Create("data"));
        var reloaded = new VolumeStore(_paths, new EventBus()).Get("data");
        Assert.Equal("pets", reloaded.Labels["app"]);
        Assert.Matches("^[0-9a-f]{64}$", _store.Create(null).Name);
    }

    [Fact]
    public void Bad_names_drivers_and_options_are_all_reported()
    {
        var e = Assert.Throws<InvalidArgumentException>(() =>
            _store.Create("x!", "nfs", options: new Dictionary<string, string> { ["o"] = "size=1m", ["color"] = "red" }));
        Assert.Contains("\"x!\" includes invalid characters for a local volume name", e.Message);
        Assert.Contains("plugin \"nfs\" not found", e.Message);
        Assert.Contains("invalid option key: \"color\"", e.Message);
        Assert.Contains("missing required option: \"device\"", e.Message);
        Assert.Empty(_store.List());
    }

    [Fact]
    public void A_used_volume_is_not_removed_nor_pruned()
    {
        _store.Use("keep", "c1");
        var e = Assert.Throws<ConflictException>(() => _store.Remove("keep"));
        Assert.Equal("remove keep: volume is in use - [c1]", e.Message);
        Assert.Empty(_store.Prune(_ => true).Deleted);
        _store.Release("keep", "c1");
        _store.Remove("keep");
        Assert.Null(_store.Find("keep"));
        Assert.False(Directory.Exists(Path.Combine(_root, "volumes", "keep")));
        Assert.Equal("get keep: no such volume", Assert.Throws<NotFoundException>(() => _store.Remove("keep")).Message);
        _store.Remove("keep", force: true);
    }

    [Fact]
    public void Prune_measures_what_it_frees()
    {
        var anonymous = _store.Create(null, labels: new Dictionary<string, string> { [VolumeRecord.AnonymousLabel] = "" });
        _store.Create("named");
        File.WriteAllBytes(Path.Combine(_store.Mountpoint(anonymous.Name), "f"), new byte[12345]);
        var (deleted, reclaimed) = _store.Prune(v => v.IsAnonymous);
        Assert.Equal([anonymous.Name], deleted);
        Assert.Equal(12345, reclaimed);
        Assert.NotNull(_store.Find("named"));
    }

    [Fact]
    public void Local_driver_options_split_into_flags_and_data()
    {
        var (flags, data) = LocalDriverOptions.Parse("size=64m,uid=1000,ro,noexec");
        Assert.Equal(Linux.MountFlags.ReadOnly | Linux.MountFlags.NoExec, flags);
        Assert.Equal("size=64m,uid=1000", data);
        Assert.Equal(Linux.MountFlags.Bind | Linux.MountFlags.Recursive, LocalDriverOptions.Parse("rbind").Flags);
    }

    [Fact]
    public void Directory_size_counts_files_and_symlinks_and_each_inode_once()
    {
        var d = Path.Combine(_root, "sized");
        Directory.CreateDirectory(Path.Combine(d, "sub"));
        File.WriteAllBytes(Path.Combine(d, "a"), new byte[1000]);
        File.WriteAllBytes(Path.Combine(d, "sub", "b"), new byte[234]);
        Linux.Sys.Link(Path.Combine(d, "a"), Path.Combine(d, "hardlink"));
        File.CreateSymbolicLink(Path.Combine(d, "link"), "sub/b"); // 5 bytes of target
        Assert.Equal(1000 + 234 + 5, DirectorySize.Of(d));
    }
}
