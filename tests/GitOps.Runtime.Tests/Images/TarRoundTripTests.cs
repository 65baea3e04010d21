using System.Formats.Tar;
using GitOps.Runtime.Images;
using GitOps.Runtime.Linux;

namespace GitOps.Runtime.Tests.Images;

/// <summary>Layers keep everything a root filesystem needs (runs as root, as the suite does).</summary>
public sealed class TarRoundTripTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("tar-").FullName;

    public void Dispose() => ImageStore.DeleteTree(_dir);

    string P(params string[] parts) => Path.Combine([_dir, .. parts]);

    string MakeTree()
    {
        var src = P("src");
        Directory.CreateDirectory(Path.Combine(src, "etc", "sub"));
        File.WriteAllText(Path.Combine(src, "etc", "hello.txt"), "hello");
        Sys.Chmod(Path.Combine(src, "etc", "hello.txt"), 0x1ED); // 0755
        File.WriteAllText(Path.Combine(src, "etc", "suid"), "x");
        Sys.Lchown(Path.Combine(src, "etc", "suid"), 1000, 1000);
        Sys.Chmod(Path.Combine(src, "etc", "suid"), 0x9ED); // 04755
        Sys.Symlink("hello.txt", Path.Combine(src, "etc", "link"));
        Sys.Link(Path.Combine(src, "etc", "hello.txt"), Path.Combine(src, "etc", "hard"));
        Sys.Mkfifo(Path.Combine(src, "fifo"), 0x1A4);
        Sys.Mknod(Path.Combine(src, "null"), FileStat.S_IFCHR | 0x1B6, 1, 3);
        Sys.SetXattr(Path.Combine(src, "etc", "hello.txt"), "user.note", "v1"u8);
        Sys.Lchown(Path.Combine(src, "etc", "sub"), 33, 44);
        Sys.Chmod(Path.Combine(src, "etc", "sub"), 0x1E8); // 0750
        Sys.SetTimesNoFollow(Path.Combine(src, "etc", "hello.txt"), 1_000_000_000, 0);
        return src;
    }

    byte[] Pack(string dir, bool overlay = false)
    {
        using var ms = new MemoryStream();
        new TarPacker { TranslateOverlay = overlay }.Pack(dir, ms);
        return ms.ToArray();
    }

    [Fact]
    public void Owners_modes_links_devices_times_and_xattrs_survive()
    {
        var src = MakeTree();
        var dst = P("dst");
        using (var ms = new MemoryStream(Pack(src))) TarUnpacker.Unpack(ms, dst);

        foreach (var rel in new[] { "etc", "etc/sub", "etc/hello.txt", "etc/suid", "etc/link", "fifo", "null" })
        {
            var a = Sys.Lstat(Path.Combine(src, rel));
            var b = Sys.Lstat(Path.Combine(dst, rel));
            Assert.Equal((a.Mode, a.Uid, a.Gid), (b.Mode, b.Uid, b.Gid));
            if (!a.IsDirectory) Assert.Equal(a.MtimeSeconds, b.MtimeSeconds);
            if (a.IsCharDevice) Assert.Equal((a.RdevMajor, a.RdevMinor), (b.RdevMajor, b.RdevMinor));
        }
        Assert.Equal("hello.txt", Sys.ReadLink(Path.Combine(dst, "etc", "link")));
        Assert.Equal(Sys.Lstat(Path.Combine(dst, "etc", "hello.txt")).Inode, Sys.Lstat(Path.Combine(dst, "etc", "hard")).Inode);
        Assert.Equal("v1"u8.ToArray(), Sys.GetXattr(Path.Combine(dst, "etc", "hello.txt"), "user.note"));
        Assert.Equal(1_000_000_000, Sys.Lstat(Path.Combine(dst, "etc", "hello.txt")).MtimeSeconds);
    }

    [Fact]
    public void The_same_tree_always_packs_to_the_same_bytes()
    {
        var src = MakeTree();
        Assert.Equal(Pack(src), Pack(src));
    }

    [Fact]
    public void Overlay_whiteouts_and_opaque_dirs_become_oci_markers_and_back()
    {
        var upper = P("upper");
        Directory.CreateDirectory(Path.Combine(upper, "opaque"));
        File.WriteAllText(Path.Combine(upper, "opaque", "kept"), "k");
        Sys.SetXattr(Path.Combine(upper, "opaque"), "trusted.overlay.opaque", "y"u8);
        Sys.Mknod(Path.Combine(upper, "gone"), FileStat.S_IFCHR, 0, 0);

        var tar = Pack(upper, overlay: true);
        var names = new List<string>();
        using (var reader = new TarReader(new MemoryStream(tar)))
            while (reader.GetNextEntry() is { } e) names.Add(e.Name);
        Assert.Contains(".wh.gone", names);
        Assert.Contains("opaque/.wh..wh..opq", names);
        Assert.DoesNotContain(names, n => n == "gone");

        var dst = P("layer");
        TarUnpacker.Unpack(new MemoryStream(tar), dst);
        Assert.True(Sys.Lstat(Path.Combine(dst, "gone")).IsOverlayWhiteout);
        Assert.Equal("y"u8.ToArray(), Sys.GetXattr(Path.Combine(dst, "opaque"), "trusted.overlay.opaque"));
        Assert.False(File.Exists(Path.Combine(dst, "opaque", ".wh..wh..opq")));
        Assert.Equal("k", File.ReadAllText(Path.Combine(dst, "opaque", "kept")));
    }

    [Fact]
    public void A_hostile_layer_cannot_write_outside_its_directory()
    {
        var outside = P("outside");
        Directory.CreateDirectory(outside);
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "escape") { LinkName = outside });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "escape/pwned") { DataStream = new MemoryStream("x"u8.ToArray()) });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "../../../dotdot") { DataStream = new MemoryStream("y"u8.ToArray()) });
        }
        ms.Position = 0;
        var dst = P("victim");
        TarUnpacker.Unpack(ms, dst);
        Assert.False(File.Exists(Path.Combine(outside, "pwned")));
        Assert.False(File.Exists(P("dotdot")));
        Assert.True(File.Exists(Path.Combine(dst, "dotdot")));
        // Whatever became of the symlink, the file landed inside the layer.
        Assert.Single(Directory.GetFiles(dst, "pwned", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("./a/b/", "a/b")]
    [InlineData("/a//b", "a/b")]
    [InlineData("../../a", "a")]
    [InlineData("a/../../b", "b")]
    [InlineData("./", null)]
    public void Normalises_entry_names(string name, string? expected) => Assert.Equal(expected, TarUnpacker.Normalize(name));
}
