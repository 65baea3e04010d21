using GitOps.Runtime.Containers;
using GitOps.Runtime.Init;
using GitOps.Runtime.Security;

namespace GitOps.Runtime.Tests.Security;

public sealed class SecurityOptionsTests
{
    [Fact]
    public void Security_opt_reads_as_dockers_daemon_reads_it()
    {
        Assert.Equal(SeccompMode.Builtin, SecurityOptions.Parse([]).Seccomp);
        Assert.Equal(SeccompMode.Unconfined, SecurityOptions.Parse(["seccomp=unconfined"]).Seccomp);
        Assert.Equal(SeccompMode.Unconfined, SecurityOptions.Parse(["seccomp:unconfined"]).Seccomp); // the deprecated spelling
        Assert.Equal(SeccompMode.Builtin, SecurityOptions.Parse(["seccomp=builtin"]).Seccomp);
        var custom = SecurityOptions.Parse(["""seccomp:{"defaultAction":"SCMP_ACT_ALLOW"}"""]);
        Assert.Equal(SeccompMode.Custom, custom.Seccomp);
        Assert.Equal("SCMP_ACT_ALLOW", custom.Profile!.DefaultAction);
        Assert.Null(SecurityOptions.Parse([]).NoNewPrivileges);
        Assert.True(SecurityOptions.Parse(["no-new-privileges"]).NoNewPrivileges);
        Assert.False(SecurityOptions.Parse(["no-new-privileges=false"]).NoNewPrivileges);
        Assert.True(SecurityOptions.Parse(["no-new-privileges:true"]).NoNewPrivileges);
        Assert.True(SecurityOptions.Parse(["writable-cgroups=1"]).WritableCgroups);
        // No AppArmor or SELinux on the test hosts: as with Docker there, the names are accepted and mean nothing.
        SecurityOptions.Parse(["apparmor=unconfined", "label=disable", "label:disable", "disable"]);
    }

    [Theory]
    [InlineData("seccomp", "expected KEY=VALUE")]
    [InlineData("foo=bar", "unknown option \"foo\"")]
    [InlineData("no-new-privileges=maybe", "\"maybe\" is not a boolean")]
    [InlineData("seccomp=/etc/profile.json", "expected unconfined, builtin or a profile's JSON")]
    public void Bad_security_options_are_refused(string opt, string expected)
    {
        var e = Assert.Throws<InvalidArgumentException>(() => SecurityOptions.Parse([opt]));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Capabilities_follow_dockers_tweak_rules()
    {
        ulong Bit(Capability c) => 1UL << (int)c;
        Assert.Equal(Defaults.CapabilityMask, CapabilitySet.Of(new HostConfig()));
        Assert.Equal(CapabilitySet.All, CapabilitySet.Of(new HostConfig { Privileged = true, CapDrop = ["ALL"] }));
        // Drop ALL then add one: the common hardening pattern keeps the added capability.
        Assert.Equal(Bit(Capability.NetBindService), CapabilitySet.Of(new HostConfig { CapDrop = ["ALL"], CapAdd = ["NET_BIND_SERVICE"] }));
        Assert.Equal(CapabilitySet.All & ~Bit(Capability.SysAdmin), CapabilitySet.Of(new HostConfig { CapAdd = ["all"], CapDrop = ["CAP_SYS_ADMIN"] }));
        Assert.Equal((Defaults.CapabilityMask & ~Bit(Capability.NetRaw)) | Bit(Capability.SysPtrace),
            CapabilitySet.Of(new HostConfig { CapAdd = ["sys_ptrace"], CapDrop = ["NET_RAW"] }));
        Assert.Contains("CAP_SYS_ADMIN", CapabilitySet.NamesOf(Bit(Capability.SysAdmin)));
        var e = Assert.Throws<InvalidArgumentException>(() => CapabilitySet.Of(new HostConfig { CapAdd = ["SYS_NOPE"] }));
        Assert.Equal("unknown capability: \"CAP_SYS_NOPE\"", e.Message);
    }
}
