using System.Buffers.Binary;
using GitOps.Runtime.Security;

namespace GitOps.Runtime.Tests.Security;

/// <summary>
/// Classic BPF as the kernel runs a seccomp filter (kernel/bpf/core.c's cBPF subset, seccomp_check_filter's
/// rules): the packet is struct seccomp_data, loads are 32-bit aligned words, every path must end in
/// a return. Strict on purpose: a jump out of the program, a misaligned load or a fall off the end
/// fails the test instead of guessing.
/// </summary>
internal static class BpfInterpreter
{
    public const uint AuditArchX86_64 = 0xC000003E, AuditArchI386 = 0x40000003, AuditArchAarch64 = 0xC00000B7;
    public const uint RetKillThread = 0, RetKillProcess = 0x80000000, RetAllow = 0x7fff0000;
    public static uint RetErrno(int errno) => 0x00050000u | (uint)errno;

    /// <summary>struct seccomp_data { int nr; u32 arch; u64 instruction_pointer; u64 args[6]; }.</summary>
    public static byte[] Data(int nr, uint arch, params ulong[] args)
    {
        var d = new byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(d, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(4), arch);
        for (var i = 0; i < args.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(16 + 8 * i), args[i]);
        return d;
    }

    public static uint Run(IReadOnlyList<BpfInstruction> program, byte[] data)
    {
        uint a = 0, x = 0;
        var mem = new uint[16];
        var pc = 0;
        for (var steps = 0; steps < 100_000; steps++)
        {
            if (pc < 0 || pc >= program.Count) throw new InvalidOperationException($"fell off the program at {pc}");
            var i = program[pc];
            var cls = i.Code & 0x07;
            switch (cls)
            {
                case 0x00: // LD
                    a = Load(i, data, mem, x);
                    pc++;
                    break;
                case 0x01: // LDX
                    x = (i.Code & 0xe0) switch
                    {
                        0x00 => i.K,                      // IMM
                        0x60 => mem[i.K],                 // MEM
                        0x80 => (uint)data.Length,        // LEN
                        _ => throw new InvalidOperationException($"unsupported LDX 0x{i.Code:x2}"),
                    };
                    pc++;
                    break;
                case 0x02: mem[i.K] = a; pc++; break; // ST
                case 0x03: mem[i.K] = x; pc++; break; // STX
                case 0x04: // ALU
                    var operand = (i.Code & 0x08) != 0 ? x : i.K;
                    a = (i.Code & 0xf0) switch
                    {
                        0x00 => a + operand, 0x10 => a - operand, 0x20 => a * operand, 0x30 => a / operand,
                        0x40 => a | operand, 0x50 => a & operand, 0x60 => a << (int)operand, 0x70 => a >> (int)operand,
                        0x80 => (uint)-(int)a, 0x90 => a % operand, 0xa0 => a ^ operand,
                        _ => throw new InvalidOperationException($"unsupported ALU 0x{i.Code:x2}"),
                    };
                    pc++;
                    break;
                case 0x05: // JMP
                    var op = i.Code & 0xf0;
                    if (op == 0x00) { pc += 1 + (int)i.K; break; }
                    var k = (i.Code & 0x08) != 0 ? x : i.K;
                    var taken = op switch
                    {
                        0x10 => a == k,
                        0x20 => a > k,
                        0x30 => a >= k,
                        0x40 => (a & k) != 0,
                        _ => throw new InvalidOperationException($"unsupported JMP 0x{i.Code:x2}"),
                    };
                    pc += 1 + (taken ? i.Jt : i.Jf);
                    break;
                case 0x06: // RET
                    return (i.Code & 0x18) == 0x10 ? a : i.K;
                case 0x07: // MISC
                    if (i.Code == 0x07) x = a; else if (i.Code == 0x87) a = x; else throw new InvalidOperationException($"unsupported MISC 0x{i.Code:x2}");
                    pc++;
                    break;
            }
        }
        throw new InvalidOperationException("the program does not terminate");
    }

    static uint Load(BpfInstruction i, byte[] data, uint[] mem, uint x)
    {
        switch (i.Code & 0xe0)
        {
            case 0x00: // IMM
                return i.K;
            case 0x20: // ABS
                if ((i.Code & 0x18) != 0x00) throw new InvalidOperationException("seccomp allows only 32-bit loads");
                if (i.K % 4 != 0 || i.K + 4 > data.Length) throw new InvalidOperationException($"bad load offset {i.K}");
                return BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)i.K));
            case 0x60: // MEM
                return mem[i.K];
            case 0x80: // LEN
                return (uint)data.Length;
            default:
                throw new InvalidOperationException($"unsupported LD 0x{i.Code:x2} (x={x})");
        }
    }
}
