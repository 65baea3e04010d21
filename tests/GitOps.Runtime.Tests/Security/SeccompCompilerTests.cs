using GitOps.Runtime.Containers;
using GitOps.Runtime.Init;
using GitOps.Runtime.Security;
using static GitOps.Runtime.Tests.Security.BpfInterpreter;

namespace GitOps.Runtime.Tests.Security;

/// <summary>
/// The compiled programs, run through a BPF interpreter with the seccomp_data a real call would
/// give: Docker's default profile (through libseccomp, as the daemon compiles it) and the ENOSYS
/// prologue. x86_64 numbers; the engine's own tests run on x86_64.
/// </summary>
public sealed class SeccompCompilerTests
{
    // x86_64 system call numbers.
    const int Read = 0, Socket = 41, Clone = 56, Personality = 135, Ptrace = 101, Mount = 165, InitModule = 175,
        ClockSettime = 227, ExitGroup = 231, AddKey = 248, Keyctl = 250, Unshare = 272, Setns = 308, Userfaultfd = 323,
        Bpf = 321, PerfEventOpen = 298, IoUringSetup = 425, Clone3 = 435;
    const int I386Read = 3, I386Keyctl = 288;
    const int X32 = 1 << 30;
    const ulong CloneNewUser = 0x10000000, CloneNewNs = 0x00020000, SigChld = 17, CloneVm = 0x100;

    static IReadOnlyList<BpfInstruction> Compile(ulong caps, SeccompProfile? profile = null)
    {
        var resolved = SeccompResolver.Resolve(profile ?? SeccompProfile.Default, CapabilitySet.NamesOf(caps), "amd64", (6, 18))!;
        return BpfInstruction.Decode(SeccompCompiler.Compile(resolved).Filter);
    }

    static uint Call(IReadOnlyList<BpfInstruction> p, int nr, params ulong[] args) => Run(p, Data(nr, AuditArchX86_64, args));

    [Fact]
    public void Default_profile_blocks_what_docker_blocks_with_eperm()
    {
        var p = Compile(Defaults.CapabilityMask);
        foreach (var nr in new[] { Keyctl, AddKey, IoUringSetup, Userfaultfd, PerfEventOpen, Bpf, Mount, Unshare, Setns, InitModule, ClockSettime })
            Assert.Equal(RetErrno(1), Call(p, nr));
        Assert.Equal(RetAllow, Call(p, Read));
        Assert.Equal(RetAllow, Call(p, ExitGroup));
        Assert.Equal(RetAllow, Call(p, Ptrace)); // allowed from kernel 4.8 on (minKernel)
    }

    [Fact]
    public void Argument_rules_clone_flags_personality_and_socket_families()
    {
        var p = Compile(Defaults.CapabilityMask);
        Assert.Equal(RetErrno(1), Call(p, Clone, CloneNewUser | SigChld));
        Assert.Equal(RetErrno(1), Call(p, Clone, CloneNewNs | SigChld));
        Assert.Equal(RetAllow, Call(p, Clone, CloneVm | SigChld));
        // clone3 cannot be filtered on its flags (they are in memory): ENOSYS makes libc fall back to clone.
        Assert.Equal(RetErrno(38), Call(p, Clone3));
        Assert.Equal(RetAllow, Call(p, Personality, 0));
        Assert.Equal(RetAllow, Call(p, Personality, 0x0008));
        Assert.Equal(RetAllow, Call(p, Personality, 0xffffffff));
        Assert.Equal(RetErrno(1), Call(p, Personality, 0x0006));
        Assert.Equal(RetAllow, Call(p, Socket, 2));
        Assert.Equal(RetAllow, Call(p, Socket, 39));
        Assert.Equal(RetErrno(1), Call(p, Socket, 38)); // AF_ALG
        Assert.Equal(RetErrno(1), Call(p, Socket, 40)); // AF_VSOCK
    }

    [Fact]
    public void Capabilities_open_their_rules_as_in_docker()
    {
        var admin = Compile(Defaults.CapabilityMask | (1UL << (int)Capability.SysAdmin));
        Assert.Equal(RetAllow, Call(admin, Clone, CloneNewUser | SigChld));
        Assert.Equal(RetAllow, Call(admin, Clone3));
        Assert.Equal(RetAllow, Call(admin, Unshare, CloneNewUser));
        Assert.Equal(RetAllow, Call(admin, Mount));
        Assert.Equal(RetAllow, Call(admin, PerfEventOpen));
        Assert.Equal(RetErrno(1), Call(admin, Keyctl)); // no capability opens the keyring calls
        Assert.Equal(RetErrno(1), Call(admin, InitModule));
        var module = Compile(Defaults.CapabilityMask | (1UL << (int)Capability.SysModule));
        Assert.Equal(RetAllow, Call(module, InitModule));
        Assert.Equal(RetErrno(1), Call(module, Mount));
        var time = Compile(Defaults.CapabilityMask | (1UL << (int)Capability.SysTime));
        Assert.Equal(RetAllow, Call(time, ClockSettime));
    }

    [Fact]
    public void Calls_newer_than_the_profile_get_enosys_so_libc_falls_back()
    {
        var p = Compile(Defaults.CapabilityMask);
        Assert.Equal(RetErrno(38), Call(p, 1000));
        Assert.Equal(RetErrno(38), Call(p, 600));
        // x32 and i386 calls are checked against their own tables.
        Assert.Equal(RetErrno(38), Call(p, X32 | 1000));
        Assert.Equal(RetErrno(38), Run(p, Data(2000, AuditArchI386)));
    }

    [Fact]
    public void Compat_abis_are_filtered_too_and_foreign_architectures_are_killed()
    {
        var p = Compile(Defaults.CapabilityMask);
        Assert.Equal(RetAllow, Run(p, Data(I386Read, AuditArchI386)));
        Assert.Equal(RetErrno(1), Run(p, Data(I386Keyctl, AuditArchI386)));
        Assert.Equal(RetAllow, Call(p, X32 | Read));
        Assert.Equal(RetErrno(1), Call(p, X32 | Keyctl));
        var foreign = Run(p, Data(Read, AuditArchAarch64));
        Assert.True(foreign is RetKillThread or RetKillProcess, $"an aarch64 call got 0x{foreign:x8}");
    }

    [Fact]
    public void A_custom_profile_is_compiled_with_its_own_default_and_prologue()
    {
        var profile = SeccompProfile.Parse("""
            {"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":13,"architectures":["SCMP_ARCH_X86_64"],
             "syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},
                         {"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":22}]}
            """);
        var p = Compile(Defaults.CapabilityMask, profile);
        Assert.Equal(RetAllow, Call(p, Read));
        Assert.Equal(RetErrno(22), Call(p, 39)); // getpid
        Assert.Equal(RetErrno(13), Call(p, 100));
        Assert.Equal(RetErrno(38), Call(p, ExitGroup + 1)); // above the highest call it names
        // Only x86_64 is listed: an x32 call meets the filter's bad-architecture action.
        var x32 = Call(p, X32 | Read);
        Assert.True(x32 is RetKillThread or RetKillProcess, $"an x32 call got 0x{x32:x8}");
    }

    [Fact]
    public void An_allow_by_default_profile_has_no_enosys_prologue()
    {
        var profile = SeccompProfile.Parse("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["keyctl"],"action":"SCMP_ACT_ERRNO"}]}""");
        var p = Compile(Defaults.CapabilityMask, profile);
        Assert.Equal(RetErrno(1), Call(p, Keyctl));
        Assert.Equal(RetAllow, Call(p, 1000));
        Assert.Equal(RetAllow, Call(p, Read));
    }

    [Fact]
    public void Several_conditions_on_one_argument_become_separate_rules()
    {
        var profile = SeccompProfile.Parse("""
            {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["personality"],"action":"SCMP_ACT_ALLOW",
              "args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"},{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]}
            """);
        var p = Compile(Defaults.CapabilityMask, profile);
        Assert.Equal(RetAllow, Call(p, Personality, 0));
        Assert.Equal(RetAllow, Call(p, Personality, 8));
        Assert.Equal(RetErrno(1), Call(p, Personality, 6));
    }

    [Fact]
    public void The_prologue_handles_long_jumps_and_both_x86_64_abis()
    {
        // Many architectures push the sections' distances past one byte: the long forms must still land right.
        var maxima = new Dictionary<uint, Dictionary<uint, uint>>
        {
            [EnosysStub.AuditArchX86_64] = new() { [EnosysStub.AuditArchX86_64] = 400, [EnosysStub.ScmpArchX32] = X32 | 400u },
            [EnosysStub.AuditArchI386] = new() { [EnosysStub.AuditArchI386] = 450 },
        };
        for (uint i = 0; i < 140; i++) maxima[0x1000 + i] = new() { [0x1000 + i] = 10 + i };
        var program = EnosysStub.Generate(maxima).Append(BpfInstruction.Ret(RetAllow)).ToList();
        Assert.Contains(program, ins => ins.Code == BpfInstruction.Ja && ins.K > 255);
        Assert.Equal(RetAllow, Run(program, Data(400, AuditArchX86_64)));
        Assert.Equal(RetErrno(38), Run(program, Data(401, AuditArchX86_64)));
        Assert.Equal(RetAllow, Run(program, Data(X32 | 400, AuditArchX86_64)));
        Assert.Equal(RetErrno(38), Run(program, Data(X32 | 401, AuditArchX86_64)));
        Assert.Equal(RetErrno(38), Run(program, Data(451, AuditArchI386)));
        Assert.Equal(RetAllow, Run(program, Data(20, 0x1000 + 10)));
        Assert.Equal(RetErrno(38), Run(program, Data(21, 0x1000 + 10)));
        Assert.Equal(RetAllow, Run(program, Data(5000, 0xdead)));
    }

    [Fact]
    public void Unconfined_and_privileged_get_no_filter_unless_privileged_names_a_profile()
    {
        Assert.Null(SeccompCompiler.For(SecurityOptions.Parse(["seccomp=unconfined"]), privileged: false, Defaults.CapabilityMask));
        Assert.Null(SeccompCompiler.For(SecurityOptions.Parse([]), privileged: true, CapabilitySet.All));
        Assert.NotNull(SeccompCompiler.For(SecurityOptions.Parse([]), privileged: false, Defaults.CapabilityMask));
        var custom = SecurityOptions.Parse(["""seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["keyctl"],"action":"SCMP_ACT_ERRNO"}]}"""]);
        Assert.NotNull(SeccompCompiler.For(custom, privileged: true, CapabilitySet.All));
        // A profile with neither a default action nor rules turns seccomp off, as Docker reads it.
        Assert.Null(SeccompCompiler.For(SecurityOptions.Parse(["seccomp={}"]), privileged: false, Defaults.CapabilityMask));
    }

    [Theory]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_NOTIFY"}]}""", "SCMP_ACT_NOTIFY needs a seccomp agent")]
    [InlineData("""{"defaultAction":"SCMP_ACT_FOO"}""", "unknown action \"SCMP_ACT_FOO\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_VAX"]}""", "unknown architecture \"SCMP_ARCH_VAX\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}""", "argument index 6 is out of range")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_IS"}]}]}""", "unknown operator \"SCMP_CMP_IS\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}""", "syscalls[0]: both 'name' and 'names'")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4"}}]}""", "invalid kernel version: \"4\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]}""", "both 'architectures' and 'archMap'")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_NOPE"]}""", "unknown flag \"SECCOMP_FILTER_FLAG_NOPE\"")]
    [InlineData("""{"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}""", "defaultAction is required")]
    public void Profile_mistakes_are_400_errors_that_say_what_is_wrong(string json, string expected)
    {
        var e = Assert.Throws<InvalidArgumentException>(() => SeccompCompiler.For(SecurityOptions.Parse(["seccomp=" + json]), false, Defaults.CapabilityMask));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Json_errors_name_line_column_and_path()
    {
        var e = Assert.Throws<InvalidArgumentException>(() => SecurityOptions.Parse(["seccomp={\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [ { \"names\": [\"read\"], \"errnoRet\": \"x\" } ]\n}"]));
        Assert.StartsWith("invalid seccomp profile: line 3, column", e.Message);
        Assert.Contains("($.syscalls[0].errnoRet): errnoRet must be a non-negative integer", e.Message);
        var syntax = Assert.Throws<InvalidArgumentException>(() => SecurityOptions.Parse(["seccomp={\"defaultAction\": SCMP}"]));
        Assert.Equal("invalid seccomp profile: line 1, column 19 ($.defaultAction): not valid JSON", syntax.Message);
    }

    [Fact]
    public void The_embedded_default_is_dockers_profile()
    {
        var d = SeccompProfile.Default;
        Assert.Equal("SCMP_ACT_ERRNO", d.DefaultAction);
        Assert.Equal(1u, d.DefaultErrnoRet);
        Assert.Contains(d.ArchMap!, a => a.Architecture == "SCMP_ARCH_X86_64" && a.SubArchitectures!.SequenceEqual(["SCMP_ARCH_X86", "SCMP_ARCH_X32"]));
        var resolved = SeccompResolver.Resolve(d, CapabilitySet.NamesOf(Defaults.CapabilityMask), "amd64", (6, 18))!;
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], resolved.Architectures);
        Assert.DoesNotContain(resolved.Syscalls, s => s.Name is "keyctl" or "add_key" or "request_key" or "io_uring_setup" or "userfaultfd");
        Assert.Contains(resolved.Syscalls, s => s.Name == "arch_prctl"); // amd64-only rule
        Assert.DoesNotContain(resolved.Syscalls, s => s.Name == "s390_runtime_instr");
        // On an old kernel, the minKernel 4.8 rule for ptrace falls away.
        var old = SeccompResolver.Resolve(d, CapabilitySet.NamesOf(Defaults.CapabilityMask), "amd64", (4, 4))!;
        Assert.DoesNotContain(old.Syscalls, s => s.Name == "ptrace");
    }
}
