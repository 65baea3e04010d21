using GitOps.Runtime.Containers;
using GitOps.Runtime.Security;

namespace GitOps.Runtime.Tests.Security;

public sealed class ModeAndDeviceTests
{
    [Theory]
    [InlineData("/dev/fuse", "/dev/fuse", "", "rwm")]
    [InlineData("/dev/fuse:r", "/dev/fuse", "", "r")]
    [InlineData("/dev/fuse:/dev/f", "/dev/fuse", "/dev/f", "rwm")]
    [InlineData("/dev/sda:/dev/xvdc:rw", "/dev/sda", "/dev/xvdc", "rw")]
    public void Device_specs_parse_as_dockers(string spec, string host, string container, string perms)
    {
        var m = HostDevices.Parse(spec);
        Assert.Equal((host, container, perms), (m.PathOnHost, m.PathInContainer, m.CgroupPermissions));
    }

    [Fact]
    public void Bad_device_specs_and_lookups_are_400s()
    {
        Assert.Contains("invalid device specification", Assert.Throws<InvalidArgumentException>(() => HostDevices.Parse("a:b:c:d")).Message);
        Assert.False(HostDevices.IsPermissions("rwx"));
        Assert.False(HostDevices.IsPermissions("rr"));
        Assert.True(HostDevices.IsPermissions("mwr"));
        Assert.Contains("not a device node", Assert.Throws<InvalidArgumentException>(() =>
            HostDevices.Resolve(new DeviceMapping { PathOnHost = "/proc/self/status" })).Message);
        Assert.Contains("must be absolute", Assert.Throws<InvalidArgumentException>(() =>
            HostDevices.Resolve(new DeviceMapping { PathOnHost = "/dev/null", PathInContainer = "null" })).Message);
    }

    [Fact]
    public void A_device_resolves_to_the_host_nodes_numbers_and_a_directory_to_its_devices()
    {
        var nul = Assert.Single(HostDevices.Resolve(new DeviceMapping { PathOnHost = "/dev/null", PathInContainer = "/dev/mynull", CgroupPermissions = "rw" }));
        Assert.Equal(new GitOps.Runtime.Init.DeviceSpec("/dev/mynull", 'c', 1, 3, nul.Mode, 0, 0, "rw"), nul);
        Assert.Equal("c 1:3 rw", HostDevices.CgroupRule(nul));
        var all = HostDevices.All();
        Assert.Contains(all, d => d.Path == "/dev/null");
        Assert.DoesNotContain(all, d => d.Path.StartsWith("/dev/pts/", StringComparison.Ordinal) || d.Path is "/dev/console" or "/dev/ptmx");
    }

    [Theory]
    [InlineData("", NamespaceShare.Private, null)]
    [InlineData("host", NamespaceShare.Host, null)]
    [InlineData("container:db", NamespaceShare.Container, "db")]
    public void Pid_modes(string mode, NamespaceShare share, string? container) =>
        Assert.Equal(new NamespaceMode(share, container), NamespaceMode.ParsePid(mode));

    [Theory]
    [InlineData("", NamespaceShare.Private)]
    [InlineData("private", NamespaceShare.Private)]
    [InlineData("shareable", NamespaceShare.Shareable)]
    [InlineData("none", NamespaceShare.None)]
    [InlineData("host", NamespaceShare.Host)]
    public void Ipc_modes(string mode, NamespaceShare share) => Assert.Equal(share, NamespaceMode.ParseIpc(mode).Share);

    [Theory]
    [InlineData("private")]
    [InlineData("container:")]
    [InlineData("Host")]
    public void Bad_pid_modes_are_refused(string mode) =>
        Assert.StartsWith("invalid PID mode", Assert.Throws<InvalidArgumentException>(() => NamespaceMode.ParsePid(mode)).Message);
}
