using System.CommandLine;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Daemon;
using GitOps.Cli.Output;
using GitOps.Runtime.Exec;

namespace GitOps.Cli.Commands;

/// <summary>docker logs, attach and exec.</summary>
internal static partial class ContainerCommands
{
    // ---- logs / attach / exec ----------------------------------------------------------------

    static Command Logs()
    {
        var cmd = new Command("logs", "Fetch the logs of a container");
        var follow = new Option<bool>("--follow", "-f") { Description = "Follow log output" };
        var tail = new Option<string>("--tail", "-n") { Description = "Number of lines to show from the end of the logs", DefaultValueFactory = _ => "all" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Show timestamps" };
        var since = new Option<string?>("--since") { Description = "Show logs since timestamp or relative (e.g. 42m)" };
        var until = new Option<string?>("--until") { Description = "Show logs before a timestamp or relative (e.g. 42m)" };
        var name = new Argument<string>("container");
        foreach (var o in new Option[] { follow, tail, timestamps, since, until }) cmd.Options.Add(o);
        cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var q = $"containers/{Cli.Q(pr.GetValue(name)!)}/logs?follow={(pr.GetValue(follow) ? 1 : 0)}&tail={Cli.Q(pr.GetValue(tail)!)}" +
                    $"&timestamps={(pr.GetValue(timestamps) ? 1 : 0)}" +
                    (pr.GetValue(since) is { } s ? "&since=" + Cli.Q(s) : "") + (pr.GetValue(until) is { } u ? "&until=" + Cli.Q(u) : "");
            await using var stream = await client.GetStreamAsync(q, ct);
            await using var stdout = Console.OpenStandardOutput();
            await using var stderr = Console.OpenStandardError();
            while (await StreamFrame.ReadAsync(stream, ct) is { } frame)
            {
                var target = frame.Stream == 2 ? stderr : stdout;
                await target.WriteAsync(frame.Payload, ct);
                await target.FlushAsync(ct);
            }
            return 0;
        });
        return cmd;
    }

    static Command Attach()
    {
        var cmd = new Command("attach", "Attach local standard input, output, and error streams to a running container (detach: Ctrl-P Ctrl-Q)");
        var noStdin = new Option<bool>("--no-stdin") { Description = "Do not attach STDIN" };
        var sigProxy = new Option<bool>("--sig-proxy") { Description = "Proxy all received signals to the process", DefaultValueFactory = _ => true };
        var name = new Argument<string>("container");
        cmd.Options.Add(noStdin); cmd.Options.Add(sigProxy); cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var inspect = await client.GetJsonAsync($"containers/{Cli.Q(pr.GetValue(name)!)}/json", ApiJson.Default.ContainerInspect, ct);
            if (!inspect.State.Running) throw new CliException("You cannot attach to a stopped container, start it first");
            var stdin = inspect.Config.OpenStdin && !pr.GetValue(noStdin);
            using var ws = await client.WebSocketAsync($"containers/{inspect.Id}/attach/ws?stdin={(stdin ? 1 : 0)}", ct);
            using var proxy = pr.GetValue(sigProxy) && !inspect.Config.Tty ? new SignalProxy(client, inspect.Id) : null;
            var session = new AttachSession(ws, stdin, inspect.Config.Tty);
            var code = await session.RunAsync(ct);
            if (session.Detached) Console.Error.WriteLine("read escape sequence");
            return code ?? 0;
        });
        return cmd;
    }

    static IEnumerable<Option> ExecOptions() => [ExecDetach, ExecInteractive, ExecTty, ExecEnv, ExecUser, ExecWorkdir, ExecPrivileged];
    static readonly Option<bool> ExecPrivileged = new("--privileged") { Description = "Give extended privileges to the command (all capabilities)" };
    static readonly Option<bool> ExecDetach = new("--detach", "-d") { Description = "Detached mode: run command in the background" };
    static readonly Option<bool> ExecInteractive = new("--interactive", "-i") { Description = "Keep STDIN open even if not attached" };
    static readonly Option<bool> ExecTty = new("--tty", "-t") { Description = "Allocate a pseudo-TTY" };
    static readonly Option<string[]> ExecEnv = new("--env", "-e") { Description = "Set environment variables" };
    static readonly Option<string?> ExecUser = new("--user", "-u") { Description = "Username or UID (format: <name|uid>[:<group|gid>])" };
    static readonly Option<string?> ExecWorkdir = new("--workdir", "-w") { Description = "Working directory inside the container" };

    static Command Exec()
    {
        var cmd = new Command("exec", "Execute a command in a running container");
        var name = new Argument<string>("container");
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.OneOrMore };
        foreach (var o in ExecOptions()) cmd.Options.Add(o);
        cmd.Arguments.Add(name); cmd.Arguments.Add(command);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var config = new ExecConfig
            {
                Cmd = pr.GetValue(command)!,
                Env = pr.GetValue(ExecEnv) ?? [],
                User = pr.GetValue(ExecUser),
                WorkingDir = pr.GetValue(ExecWorkdir),
                Tty = pr.GetValue(ExecTty),
                AttachStdin = pr.GetValue(ExecInteractive),
                Privileged = pr.GetValue(ExecPrivileged),
            };
            var exec = await client.PostJsonAsync($"containers/{Cli.Q(pr.GetValue(name)!)}/exec", config, ApiJson.Default.ExecConfig, ApiJson.Default.IdResponse, ct);
            if (pr.GetValue(ExecDetach))
            {
                await client.PostAsync($"exec/{exec.Id}/start", ct);
                return 0;
            }
            using var ws = await client.WebSocketAsync($"exec/{exec.Id}/start/ws", ct);
            var code = await new AttachSession(ws, config.AttachStdin, config.Tty).RunAsync(ct);
            return code ?? 0;
        }, daemonErrorCode: 126);
        return cmd;
    }
}
