using System.Text;
using GitOps.EndToEnd.Tests.Infrastructure;
using GitOps.Runtime.Linux;

namespace GitOps.EndToEnd.Tests;

/// <summary>run -it and attach through a real pseudo-terminal, as a user at a shell would.</summary>
[Collection(EngineCollection.Name)]
public sealed class TtyTests(DaemonFixture d)
{
    sealed class Terminal : IDisposable
    {
        readonly SafeFd _master;
        readonly StringBuilder _seen = new();
        public int Pid { get; }
        readonly SafeFd _pidfd;

        public Terminal(string socket, params string[] args)
        {
            var (master, slavePath) = Sys.OpenPty();
            _master = master;
            Sys.SetWindowSize(master.Fd, 30, 100);
            using var slave = Sys.Open(slavePath, Sys.O_RDWR);
            Pid = Sys.Spawn(Gitops.Binary, ["gitops", .. args], [$"GITOPS_SOCKET={socket}", "TERM=xterm", "PATH=/usr/bin:/bin"],
                [new(slave.Fd, 0), new(slave.Fd, 1), new(slave.Fd, 2)], newSession: true);
            _pidfd = Sys.PidfdOpen(Pid);
        }

        public void Type(string text) => Sys.WriteAll(_master, Encoding.UTF8.GetBytes(text));

        public string WaitFor(string text, int timeoutMs = 15000)
        {
            var buffer = new byte[4096];
            var deadline = Environment.TickCount64 + timeoutMs;
            while (!_seen.ToString().Contains(text))
            {
                var left = (int)(deadline - Environment.TickCount64);
                if (left <= 0) throw new TimeoutException($"\"{text}\" did not appear; the terminal shows: {_seen}");
                if (!Sys.PollReadable(_master, left)) continue;
                int n;
                try { n = Sys.Read(_master, buffer); }
                catch (ErrnoException e) when (e.Errno == Errno.EIO) { n = 0; }
                if (n <= 0) break;
                _seen.Append(Encoding.UTF8.GetString(buffer, 0, n));
            }
            return _seen.ToString();
        }

        public int WaitExit()
        {
            Assert.True(Sys.PollReadable(_pidfd, 15000), "the CLI did not exit");
            return Sys.WaitPidfd(_pidfd, block: true)!.Value.ShellCode;
        }

        public void Dispose()
        {
            Sys.PidfdSendSignal(_pidfd, 9);
            try { Sys.WaitPidfd(_pidfd, block: true); } catch (ErrnoException) { }
            _pidfd.Dispose();
            _master.Dispose();
        }
    }

    [Fact]
    public void Run_it_gives_an_interactive_shell_with_the_terminal_size_and_detaches_on_ctrl_p_ctrl_q()
    {
        var name = "tty-" + Guid.NewGuid().ToString("N")[..8];
        using var term = new Terminal(d.Socket, "run", "-it", "--name", name, "bb", "sh");
        term.Type("echo $((6*7)) $TERM; stty size; tty\r");
        var screen = term.WaitFor("/dev/pts/0");
        Assert.Contains("42 xterm", screen);
        Assert.Contains("30 100", screen);
        term.Type("\x10\x11"); // Ctrl-P Ctrl-Q
        Assert.Equal(0, term.WaitExit());
        Assert.Equal("true", d.Ok("inspect", "-f", "{{.State.Running}}", name));

        // attach again, then leave with exit: the container stops with the shell's code.
        using var again = new Terminal(d.Socket, "attach", name);
        again.Type("echo back-$((1+1))\r");
        again.WaitFor("back-2");
        again.Type("exit 4\r");
        Assert.Equal(4, again.WaitExit());
        Assert.Equal("4", d.Ok("wait", name));
        d.Ok("rm", name);
    }

    [Fact]
    public void Exec_it_gets_its_own_terminal()
    {
        var id = d.Ok("run", "-d", "bb", "sleep", "60");
        try
        {
            using var term = new Terminal(d.Socket, "exec", "-it", id, "sh");
            term.Type("tty; echo ps-$((40+2))\r");
            Assert.Contains("/dev/pts/0", term.WaitFor("ps-42"));
            term.Type("exit 0\r");
            Assert.Equal(0, term.WaitExit());
        }
        finally { d.Cli("rm", "-f", id); }
    }
}
