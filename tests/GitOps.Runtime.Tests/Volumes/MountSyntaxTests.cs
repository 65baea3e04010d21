using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.Tests.Volumes;

/// <summary>-v, --mount and --tmpfs parsed with Docker's rules and messages.</summary>
public sealed class MountSyntaxTests
{
    static (ParsedMount? Mount, List<string> Errors) Bind(string raw)
    {
        var errors = new List<string>();
        return (MountSyntax.ParseBind(raw, errors), errors);
    }

    [Fact]
    public void A_single_path_is_an_anonymous_volume()
    {
        var (m, errors) = Bind("/data");
        Assert.Empty(errors);
        Assert.Equal(MountPoint.VolumeType, m!.Request.Type);
        Assert.Null(m.Request.Source);
        Assert.Equal("/data", m.Request.Target);
    }

    [Fact]
    public void A_name_is_a_volume_and_an_absolute_path_a_bind_that_creates_its_source()
    {
        var (named, _) = Bind("shared:/app/data:ro");
        Assert.Equal((MountPoint.VolumeType, "shared", "/app/data", true, "ro"),
            (named!.Request.Type, named.Request.Source, named.Request.Target, named.Request.ReadOnly, named.Mode));
        var (bind, _) = Bind("/srv/src:/app/src");
        Assert.Equal(MountPoint.BindType, bind!.Request.Type);
        Assert.True(bind.Request.BindOptions!.CreateMountpoint);
        Assert.False(bind.Request.ReadOnly);
    }

    [Theory]
    [InlineData("/foo:rw", "invalid volume specification: '/foo:rw'")]
    [InlineData("a:/b:ro:x", "invalid volume specification: 'a:/b:ro:x'")]
    [InlineData(":/b", "invalid volume specification: ':/b'")]
    [InlineData("v:/b:bogus", "invalid volume specification: 'v:/b:bogus': invalid mode: bogus")]
    [InlineData("v:/b:ro,rw", "invalid volume specification: 'v:/b:ro,rw': invalid mode: ro,rw")]
    public void Bad_specifications_get_dockers_message(string raw, string message)
    {
        var (m, errors) = Bind(raw);
        Assert.Null(m);
        Assert.Equal(message, Assert.Single(errors));
    }

    [Theory]
    [InlineData("/h:/c:z", "SELinux")]
    [InlineData("/h:/c:Z", "SELinux")]
    [InlineData("/h:/c:rshared", "propagation")]
    [InlineData("/h:/c:nocopy", "never filled")]
    public void Selinux_propagation_and_nocopy_on_binds_are_refused_clearly(string raw, string why)
    {
        var (m, errors) = Bind(raw);
        Assert.Null(m);
        Assert.Contains(why, Assert.Single(errors));
    }

    [Fact]
    public void Nocopy_on_a_volume_turns_copy_up_off()
    {
        var (m, _) = Bind("cache:/var/cache:nocopy");
        Assert.True(m!.Request.VolumeOptions!.NoCopy);
    }

    [Fact]
    public void Mount_flag_reads_every_field()
    {
        var m = MountSyntax.ParseMountFlag("type=volume,src=data,dst=/data,readonly,volume-nocopy,volume-label=a=b,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-subpath=sub");
        Assert.Equal(("volume", "data", "/data", true), (m.Type, m.Source, m.Target, m.ReadOnly));
        Assert.True(m.VolumeOptions!.NoCopy);
        Assert.Equal("b", m.VolumeOptions.Labels!["a"]);
        Assert.Equal("tmpfs", m.VolumeOptions.DriverConfig!.Options!["type"]);
        Assert.Equal("sub", m.VolumeOptions.Subpath);

        var t = MountSyntax.ParseMountFlag("type=tmpfs,target=/scratch,tmpfs-size=64m,tmpfs-mode=1770");
        Assert.Equal(64L << 20, t.TmpfsOptions!.SizeBytes);
        Assert.Equal(0x3F8u, t.TmpfsOptions.Mode); // 01770

        Assert.Equal(MountPoint.VolumeType, MountSyntax.ParseMountFlag("target=/x").Type); // volume is the default type
        Assert.False(MountSyntax.ParseMountFlag("type=bind,source=/a,target=/b,readonly=false").ReadOnly);
    }

    [Theory]
    [InlineData("type=bind,source=/a", "target is required")]
    [InlineData("type=bind,source=/a,target=/b,foo=1", "unexpected key 'foo' in 'foo=1'")]
    [InlineData("type=bind,source=/a,target=/b,bar", "invalid field 'bar' must be a key=value pair")]
    [InlineData("type=bind,source=/a,target=/b,volume-nocopy", "cannot mix 'volume-*' options with mount type 'bind'")]
    [InlineData("type=volume,target=/b,tmpfs-size=1m", "cannot mix 'tmpfs-*' options with mount type 'volume'")]
    [InlineData("type=tmpfs,target=/b,tmpfs-mode=9", "invalid value for tmpfs-mode: 9")]
    [InlineData("type=bind,source=/a,target=/b,readonly=maybe", "invalid value for readonly: maybe")]
    public void Mount_flag_errors_read_as_docker_cli_s(string value, string message)
    {
        var e = Assert.Throws<FormatException>(() => MountSyntax.ParseMountFlag(value));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Csv_fields_may_be_quoted()
    {
        Assert.Equal(["type=bind", "source=/a,b", "target=/c"], Csv.Split("type=bind,\"source=/a,b\",target=/c"));
    }

    [Fact]
    public void Tmpfs_gets_dockers_noexec_default_and_the_users_options()
    {
        var errors = new List<string>();
        var m = MountSyntax.ParseTmpfs("/run", "size=64m,mode=1777", errors)!;
        Assert.Empty(errors);
        Assert.Equal(["noexec", "size=64m", "mode=1777"], m.TmpfsOptions);
        Assert.Equal(["size=1k"], MountSyntax.ParseTmpfs("/x", "exec,size=1k", errors)!.TmpfsOptions);
        var ro = MountSyntax.ParseTmpfs("/x", "ro", errors)!;
        Assert.False(ro.RW);
        Assert.Contains("ro", ro.TmpfsOptions);
    }

    [Fact]
    public void Tmpfs_reports_every_bad_option()
    {
        var errors = new List<string>();
        Assert.Null(MountSyntax.ParseTmpfs("/x", "suid,bogus=1,size=lots,mode=999", errors));
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("always nosuid and nodev"));
        Assert.Contains(errors, e => e.Contains("unknown option bogus"));
        Assert.Contains(errors, e => e.Contains("bad value for size"));
        Assert.Contains(errors, e => e.Contains("bad value for mode"));
    }
}
