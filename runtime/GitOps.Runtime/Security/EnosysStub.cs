namespace GitOps.Runtime.Security;

/// <summary>One classic BPF instruction (struct sock_filter).</summary>
public readonly record struct BpfInstruction(ushort Code, byte Jt, byte Jf, uint K)
{
    // Opcodes (linux/filter.h, linux/bpf_common.h).
    public const ushort LdWAbs = 0x20, Ja = 0x05, JeqK = 0x15, JgtK = 0x25, JgeK = 0x35, JsetK = 0x45, RetK = 0x06;

    public static BpfInstruction Load(uint offset) => new(LdWAbs, 0, 0, offset);
    public static BpfInstruction Jump(uint skip) => new(Ja, 0, 0, skip);
    public static BpfInstruction Ret(uint value) => new(RetK, 0, 0, value);
    public static BpfInstruction If(ushort op, uint k, int jt, int jf) => new(op, checked((byte)jt), checked((byte)jf), k);

    public const int Size = 8;

    /// <summary>A program as the kernel reads it: host byte order, 8 bytes per instruction.</summary>
    public static byte[] Encode(IReadOnlyList<BpfInstruction> program)
    {
        var bytes = new byte[program.Count * Size];
        for (var i = 0; i < program.Count; i++)
        {
            var s = bytes.AsSpan(i * Size);
            BitConverter.TryWriteBytes(s, program[i].Code);
            s[2] = program[i].Jt;
            s[3] = program[i].Jf;
            BitConverter.TryWriteBytes(s[4..], program[i].K);
        }
        return bytes;
    }

    public static IReadOnlyList<BpfInstruction> Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % Size != 0) throw new InvalidOperationException($"a BPF program of {bytes.Length} bytes is not whole instructions");
        var program = new List<BpfInstruction>(bytes.Length / Size);
        for (var i = 0; i < bytes.Length; i += Size)
        {
            var s = bytes.Slice(i, Size);
            program.Add(new BpfInstruction(BitConverter.ToUInt16(s), s[2], s[3], BitConverter.ToUInt32(s[4..])));
        }
        return program;
    }
}

/// <summary>
/// The prologue runc puts before libseccomp's program (libcontainer/seccomp/patchbpf), written
/// anew here with the same semantics: a system call numbered above every call the profile names
/// (for its architecture) returns ENOSYS instead of the default action's EPERM. A kernel newer
/// than the profile then looks, to the program in the container, like a kernel without that call,
/// and libc falls back to the old one (as for clone3 or faccessat2) instead of failing.
/// On x86_64, x32 calls share the architecture and carry bit 30; they are checked against their own
/// highest number, or go to the main filter (which applies its bad-architecture action) when the
/// profile has no x32 architecture.
/// </summary>
public static class EnosysStub
{
    public const uint AuditArchX86_64 = 0xC000003E, AuditArchI386 = 0x40000003, AuditArchAarch64 = 0xC00000B7, AuditArchArm = 0x40000028;
    /// <summary>libseccomp's token for x32: not a kernel value (the kernel says x86_64), only a name for the bit-30 ABI.</summary>
    public const uint ScmpArchX32 = 0x4000003E;
    const uint X32Bit = 1u << 30;
    const uint OffsetNr = 0, OffsetArch = 4;
    public const uint RetErrnoEnosys = 0x00050000 | 38;

    /// <summary>
    /// The stub for these highest syscall numbers: audit architecture → (libseccomp architecture
    /// token → highest number). Only x86_64 may have two entries (x86_64 and x32).
    /// </summary>
    public static List<BpfInstruction> Generate(IReadOnlyDictionary<uint, Dictionary<uint, uint>> lastSyscalls)
    {
        // Built back to front, as runc does: jumps are measured from the end, which stays put.
        var tail = new List<BpfInstruction>
        {
            BpfInstruction.Jump(1),                  // fall-through: into the main filter
            BpfInstruction.Ret(RetErrnoEnosys),      // what the sections jump to
        };
        var archStart = new Dictionary<uint, int>();
        foreach (var (auditArch, maxima) in lastSyscalls.OrderBy(kv => kv.Key))
        {
            if (maxima.Count == 0) continue;
            var toEnosys = tail.Count - 1;
            var toFilter = toEnosys + 1;
            var section = new List<BpfInstruction> { BpfInstruction.Load(OffsetNr) };
            if (maxima.Count == 1)
            {
                var (scmpArch, max) = maxima.Single();
                var sectionTail = toEnosys + 1 <= 255
                    ? new List<BpfInstruction> { BpfInstruction.If(BpfInstruction.JgtK, max, toEnosys + 1, 0), BpfInstruction.Jump((uint)toFilter) }
                    : [BpfInstruction.If(BpfInstruction.JgtK, max, 0, 1), BpfInstruction.Ret(RetErrnoEnosys), BpfInstruction.Jump((uint)toFilter)];
                if (auditArch == AuditArchX86_64)
                {
                    // Only one of x86_64 and x32 is in the profile: calls of the other ABI go straight to the filter.
                    sectionTail.Insert(0, scmpArch == ScmpArchX32
                        ? BpfInstruction.If(BpfInstruction.JsetK, X32Bit, 0, sectionTail.Count - 1)
                        : BpfInstruction.If(BpfInstruction.JsetK, X32Bit, sectionTail.Count - 1, 0));
                }
                section.AddRange(sectionTail);
            }
            else
            {
                if (auditArch != AuditArchX86_64 || maxima.Count != 2 || !maxima.ContainsKey(ScmpArchX32) || !maxima.ContainsKey(AuditArchX86_64))
                    throw new InvalidOperationException($"unexpected architecture overlap on 0x{auditArch:x8}");
                var x86 = maxima[AuditArchX86_64];
                var x32 = maxima[ScmpArchX32];
                section.AddRange(toEnosys + 2 <= 255
                    ?
                    [
                        BpfInstruction.If(BpfInstruction.JsetK, X32Bit, 1, 0),
                        BpfInstruction.If(BpfInstruction.JgtK, x86, toEnosys + 2, 1),
                        BpfInstruction.If(BpfInstruction.JgtK, x32, toEnosys + 1, 0),
                        BpfInstruction.Jump((uint)toFilter),
                    ]
                    :
                    [
                        BpfInstruction.If(BpfInstruction.JsetK, X32Bit, 1, 0),
                        BpfInstruction.If(BpfInstruction.JgtK, x86, 1, 2),
                        BpfInstruction.If(BpfInstruction.JgtK, x32, 0, 1),
                        BpfInstruction.Ret(RetErrnoEnosys),
                        BpfInstruction.Jump((uint)toFilter),
                    ]);
            }
            tail.InsertRange(0, section);
            archStart[auditArch] = tail.Count;
        }

        // An architecture without a section goes to the filter, whose bad-architecture action applies.
        tail.Insert(0, BpfInstruction.Jump((uint)tail.Count));
        foreach (var auditArch in archStart.Keys.OrderBy(a => a))
        {
            var jump = tail.Count - archStart[auditArch];
            if (jump <= 255) tail.Insert(0, BpfInstruction.If(BpfInstruction.JeqK, auditArch, jump, 0));
            else tail.InsertRange(0, [BpfInstruction.If(BpfInstruction.JeqK, auditArch, 0, 1), BpfInstruction.Jump((uint)jump)]);
        }
        tail.Insert(0, BpfInstruction.Load(OffsetArch));
        return tail;
    }

    /// <summary>The audit architecture a libseccomp token's calls arrive with (x32 arrives as x86_64).</summary>
    public static uint AuditArchOf(uint scmpArch) => scmpArch == ScmpArchX32 ? AuditArchX86_64 : scmpArch;
}
