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

/// <summary>docker start, stop, restart, kill, rm, wait, rename, pause and unpause.</summary>
internal static partial class ContainerCommands
{
    // ---- lifecycle ---------------------------------------------------------------------------

    static Command Start()
    {
        var cmd = new Command("start", "Start one or more stopped containers");
        var attach = new Option<bool>("--attach", "-a") { Description = "Attach STDOUT/STDERR and forward signals" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Attach container's STDIN" };
        var names = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(attach); cmd.Options.Add(interactive); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var list = pr.GetValue(names)!;
            if (pr.GetValue(attach) || pr.GetValue(interactive))
            {
                if (list.Length > 1) throw new CliException("you cannot start and attach multiple containers at once");
                var inspect = await client.GetJsonAsync($"containers/{Cli.Q(list[0])}/json", ApiJson.Default.ContainerInspect, ct);
                return await RunAttachedAsync(client, inspect.Id, pr.GetValue(interactive) && inspect.Config.OpenStdin, inspect.Config.Tty, !inspect.Config.Tty, ct);
            }
            return await ForEachAsync(list, async n => await StartOrFailAsync(client, Cli.Q(n), ct));
        });
        return cmd;
    }

    static Command Stop()
    {
        var cmd = new Command("stop", "Stop one or more running containers (stop signal, then SIGKILL after the timeout)");
        var time = new Option<int?>("--time", "-t") { Description = "Seconds to wait before killing the container (default 10)" };
        var names = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(time); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var t = pr.GetValue(time) is { } s ? $"?t={s}" : "";
            return await ForEachAsync(pr.GetValue(names)!, n => client.PostAsync($"containers/{Cli.Q(n)}/stop{t}", ct));
        });
        return cmd;
    }

    static Command Restart()
    {
        var cmd = new Command("restart", "Restart one or more containers");
        var time = new Option<int?>("--time", "-t") { Description = "Seconds to wait before killing the container" };
        var names = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(time); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var t = pr.GetValue(time) is { } s ? $"?t={s}" : "";
            return await ForEachAsync(pr.GetValue(names)!, n => client.PostAsync($"containers/{Cli.Q(n)}/restart{t}", ct));
        });
        return cmd;
    }

    static Command Kill()
    {
        var cmd = new Command("kill", "Kill one or more running containers");
        var signal = new Option<string>("--signal", "-s") { Description = "Signal to send", DefaultValueFactory = _ => "KILL" };
        var names = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(signal); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var s = Cli.Q(pr.GetValue(signal)!);
            return await ForEachAsync(pr.GetValue(names)!, n => client.PostAsync($"containers/{Cli.Q(n)}/kill?signal={s}", ct));
        });
        return cmd;
    }

    static Command Remove()
    {
        var cmd = new Command("rm", "Remove one or more containers");
        cmd.Aliases.Add("remove");
        var force = new Option<bool>("--force", "-f") { Description = "Force the removal of a running container (uses SIGKILL)" };
        var volumes = new Option<bool>("--volumes", "-v") { Description = "Remove anonymous volumes associated with the container" };
        var names = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(force); cmd.Options.Add(volumes); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var q = $"?force={(pr.GetValue(force) ? 1 : 0)}&v={(pr.GetValue(volumes) ? 1 : 0)}";
            return await ForEachAsync(pr.GetValue(names)!, n => client.DeleteAsync($"containers/{Cli.Q(n)}{q}", ct));
        });
        return cmd;
    }

    /// <summary>Runs an operation per name, prints each name that worked, reports each that failed; exit 1 if any failed.</summary>
    static async Task<int> ForEachAsync(IEnumerable<string> names, Func<string, Task> op)
    {
        var failed = false;
        foreach (var n in names)
        {
            try
            {
                await op(n);
                Console.WriteLine(n);
            }
            catch (ApiException e)
            {
                Console.Error.WriteLine($"gitops: Error response from daemon: {e.Message}");
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    static Command Wait()
    {
        var cmd = new Command("wait", "Block until one or more containers stop, then print their exit codes");
        var condition = new Option<string>("--condition") { Description = "not-running (default), next-exit or removed", DefaultValueFactory = _ => "not-running" };
        var names = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(condition); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var failed = false;
            foreach (var n in pr.GetValue(names)!)
            {
                try
                {
                    var r = await client.PostAsync($"containers/{Cli.Q(n)}/wait?condition={Cli.Q(pr.GetValue(condition)!)}", ApiJson.Default.WaitResponse, ct);
                    Console.WriteLine(r.StatusCode);
                }
                catch (ApiException e) { Console.Error.WriteLine($"gitops: Error response from daemon: {e.Message}"); failed = true; }
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }

    static Command Rename()
    {
        var cmd = new Command("rename", "Rename a container");
        var from = new Argument<string>("container");
        var to = new Argument<string>("new-name");
        cmd.Arguments.Add(from); cmd.Arguments.Add(to);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            await client.PostAsync($"containers/{Cli.Q(pr.GetValue(from)!)}/rename?name={Cli.Q(pr.GetValue(to)!)}", ct);
            return 0;
        });
        return cmd;
    }

    static Command Pause() => Simple("pause", "Pause all processes within one or more containers", "pause");
    static Command Unpause() => Simple("unpause", "Unpause all processes within one or more containers", "unpause");

    static Command Simple(string name, string description, string action)
    {
        var cmd = new Command(name, description);
        var names = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            return await ForEachAsync(pr.GetValue(names)!, n => client.PostAsync($"containers/{Cli.Q(n)}/{action}", ct));
        });
        return cmd;
    }
}
