using System.Collections.Concurrent;
using static Tmds.Linux.LibC;

namespace GitOps.Runtime.Linux;

/// <summary>
/// Exit statuses of processes that are not our children, from the kernel's process-events
/// connector (netlink, CN_IDX_PROC). After a daemon restart the containers it re-adopted belong to
/// init, so waitid cannot report how they end; the connector can.
/// </summary>
public sealed unsafe class ProcExitMonitor : IDisposable
{
    const int AF_NETLINK = 16, NETLINK_CONNECTOR = 11, CN_IDX_PROC = 1, CN_VAL_PROC = 1;
    const uint PROC_EVENT_EXIT = 0x80000000;
    readonly SafeFd _socket;
    readonly ConcurrentDictionary<int, (int Status, long At)> _exits = new();
    readonly Thread _thread;
    volatile bool _stopping;

    public ProcExitMonitor()
    {
        _socket = new SafeFd(Sys.Check(socket(AF_NETLINK, 2 /* SOCK_DGRAM */ | Sys.O_CLOEXEC, NETLINK_CONNECTOR), "socket(NETLINK_CONNECTOR)"));
        var addr = stackalloc byte[12];
        new Span<byte>(addr, 12).Clear();
        *(ushort*)addr = AF_NETLINK;
        *(uint*)(addr + 4) = 0; // let the kernel pick the port id
        *(uint*)(addr + 8) = CN_IDX_PROC;
        Sys.Check(bind(_socket.Fd, (Tmds.Linux.sockaddr*)addr, 12), "bind(netlink)");

        // nlmsghdr (16) + cn_msg (20) + op (4): PROC_CN_MCAST_LISTEN
        var msg = stackalloc byte[40];
        new Span<byte>(msg, 40).Clear();
        *(uint*)msg = 40;
        *(ushort*)(msg + 4) = 3; // NLMSG_DONE
        *(uint*)(msg + 16) = CN_IDX_PROC;
        *(uint*)(msg + 20) = CN_VAL_PROC;
        *(ushort*)(msg + 32) = 4;
        *(uint*)(msg + 36) = 1; // PROC_CN_MCAST_LISTEN
        Sys.Check((int)(long)send(_socket.Fd, msg, 40, 0), "send(netlink)");

        _thread = new Thread(Loop) { Name = "proc-exit-monitor", IsBackground = true };
        _thread.Start();
    }

    void Loop()
    {
        var buf = new byte[8192];
        while (!_stopping)
        {
            if (!Sys.PollReadable(_socket, 500)) continue;
            int n;
            fixed (byte* b = buf) n = (int)(long)recv(_socket.Fd, b, (Tmds.Linux.size_t)(ulong)buf.Length, 0);
            if (n <= 0) continue;
            var off = 0;
            while (off + 16 <= n)
            {
                var len = BitConverter.ToInt32(buf, off);
                if (len < 16 || off + len > n) break;
                // proc_event follows nlmsghdr (16) and cn_msg (20).
                var ev = off + 36;
                if (ev + 32 <= off + len && BitConverter.ToUInt32(buf, ev) == PROC_EVENT_EXIT)
                {
                    var pid = BitConverter.ToInt32(buf, ev + 16);
                    var tgid = BitConverter.ToInt32(buf, ev + 20);
                    var status = BitConverter.ToInt32(buf, ev + 24);
                    if (pid == tgid) _exits[pid] = (status, Environment.TickCount64);
                }
                off += (len + 3) & ~3;
            }
            // Forget old entries so the table does not grow without bound.
            if (_exits.Count > 4096)
                foreach (var (pid, e) in _exits)
                    if (Environment.TickCount64 - e.At > 60_000) _exits.TryRemove(pid, out _);
        }
    }

    /// <summary>Waits briefly for the exit event of <paramref name="pid"/> (it may trail the pidfd).</summary>
    public ExitStatus? TakeExit(int pid, int waitMs = 1000)
    {
        var deadline = Environment.TickCount64 + waitMs;
        while (true)
        {
            if (_exits.TryRemove(pid, out var e))
            {
                // A wait status: low 7 bits signal, bit 7 core dump, next 8 bits exit code.
                var sig = e.Status & 0x7f;
                return sig == 0 ? new ExitStatus((e.Status >> 8) & 0xff, 0, false) : new ExitStatus(0, sig, (e.Status & 0x80) != 0);
            }
            if (Environment.TickCount64 > deadline) return null;
            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(1000);
        _socket.Dispose();
    }
}
