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

/// <summary>docker container's verbs.</summary>
internal static class ContainerCommands
{
    public static readonly Option<bool> Rm = new("--rm") { Description = "Automatically remove the container when it exits" };

    public static readonly HashSet<string> PassThroughVerbs = ["run", "create", "exec"];

    public static IReadOnlySet<string> ValueOptions()
    {
        var create = new CreateOptions();
        var exec = ExecOptions();
        return CreateOptions.ValueOptions(create.Options.Concat(exec).Append(Cli.Socket));
    }

    public static Command Group()
    {
        var group = new Command("container", "Manage containers");
        foreach (var c in Verbs()) group.Subcommands.Add(c);
        group.Subcommands.Add(HousekeepingCommands.ContainerPrune());
        return group;
    }

    /// <summary>Each verb, freshly built (a command has one parent, and the short forms need their own).</summary>
    public static IEnumerable<Command> Verbs() =>
    [
        Run(), Create(), Start(), Stop(), Restart(), Kill(), Remove(), List("ls", ["ps", "list"]), Inspect(), Logs(), Exec(), Attach(),
        Diff(), Commit(), Top(), Wait(), Rename(), Pause(), Unpause(), NetworkCommands.Port(),
    ];

    // ---- run / create ------------------------------------------------------------------------

    static Command Run()
    {
        var cmd = new Command("run", "Create and run a new container from an image");
        var o = new CreateOptions();
        var detach = new Option<bool>("--detach", "-d") { Description = "Run container in background and print container ID" };
        var sigProxy = new Option<bool>("--sig-proxy") { Description = "Proxy received signals to the process", DefaultValueFactory = _ => true };
        cmd.Options.Add(detach);
        cmd.Options.Add(Rm);
        cmd.Options.Add(sigProxy);
        o.AddTo(cmd);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var detached = pr.GetValue(detach);
            var req = o.Build(pr, attachStdin: !detached);
            var id = await CreateAsync(client, req, pr.GetValue(o.Pull)!, pr.GetValue(o.Platform), ct);
            try
            {
                if (detached)
                {
                    await StartOrFailAsync(client, id, ct);
                    Console.WriteLine(id);
                    return 0;
                }
                var code = await RunAttachedAsync(client, id, req.OpenStdin, req.Tty, pr.GetValue(sigProxy) && !req.Tty, ct);
                // As docker run --rm: return once the container is gone, so its image is free again.
                if (req.HostConfig.AutoRemove)
                    try { await client.PostAsync($"containers/{id}/wait?condition=removed", ApiJson.Default.WaitResponse, ct); }
                    catch (ApiException) { }
                return code;
            }
            catch (ApiException) when (req.HostConfig.AutoRemove)
            {
                // --rm: a container that could not start is not left behind.
                try { await client.DeleteAsync($"containers/{id}?force=1", CancellationToken.None); } catch (ApiException) { }
                throw;
            }
        }, daemonErrorCode: 125);
        return cmd;
    }

    static Command Create()
    {
        var cmd = new Command("create", "Create a new container");
        var o = new CreateOptions();
        cmd.Options.Add(Rm);
        o.AddTo(cmd);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            Console.WriteLine(await CreateAsync(client, o.Build(pr, attachStdin: false), pr.GetValue(o.Pull)!, pr.GetValue(o.Platform), ct));
            return 0;
        }, daemonErrorCode: 125);
        return cmd;
    }

    /// <summary>docker run's --pull: always pulls first, missing pulls on "No such image" (output on stderr), never does not.</summary>
    static async Task<string> CreateAsync(DaemonClient client, Runtime.Containers.CreateRequest req, string pull, string? platform, CancellationToken ct)
    {
        if (pull is not ("always" or "missing" or "never"))
            throw new FormatException($"invalid pull option: '{pull}': must be one of \"always\", \"missing\" or \"never\"");
        var query = req.Name is null ? "" : "?name=" + Cli.Q(req.Name);
        if (pull == "always") await RegistryCommands.PullAsync(client, Runtime.Images.ImageReference.Parse(req.Image), platform, Console.Error, false, ct);
        try
        {
            var created = await client.PostJsonAsync("containers/create" + query, req, ApiJson.Default.CreateRequest, ApiJson.Default.IdResponse, ct);
            return created.Id;
        }
        catch (ApiException e) when (e.Status == 404 && e.Message.StartsWith("No such image", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"Unable to find image '{Runtime.Images.ImageReference.Display(req.Image)}' locally");
            if (pull != "missing" || !Runtime.Images.ImageReference.TryParse(req.Image, out var reference, out _)) throw;
            await RegistryCommands.PullAsync(client, reference!, platform, Console.Error, false, ct);
            var created = await client.PostJsonAsync("containers/create" + query, req, ApiJson.Default.CreateRequest, ApiJson.Default.IdResponse, ct);
            return created.Id;
        }
    }

    static async Task StartOrFailAsync(DaemonClient client, string id, CancellationToken ct)
    {
        try { await client.PostAsync($"containers/{id}/start", ct); }
        catch (ApiException e) when (e.ExitCode is not null)
        {
            throw new ApiException(e.Status, $"failed to start container: {e.Message}", e.ExitCode);
        }
    }

    /// <summary>Attach first, then start: output from the first instant reaches the terminal.</summary>
    static async Task<int> RunAttachedAsync(DaemonClient client, string id, bool stdin, bool tty, bool sigProxy, CancellationToken ct)
    {
        using var ws = await client.WebSocketAsync($"containers/{id}/attach/ws?prestart=1&stdin={(stdin ? 1 : 0)}", ct);
        await StartOrFailAsync(client, id, ct);
        using var proxy = sigProxy ? new SignalProxy(client, id) : null;
        var session = new AttachSession(ws, stdin, tty);
        var code = await session.RunAsync(ct);
        if (code is { } c) return c;
        if (session.Detached) return 0;
        // The session ended without an exit code (connection lost): ask the daemon.
        try { return (await client.PostAsync($"containers/{id}/wait", ApiJson.Default.WaitResponse, ct)).StatusCode; }
        catch (ApiException) { return 0; }
    }

    /// <summary>--sig-proxy: SIGINT and SIGTERM to the CLI are sent on to the container.</summary>
    sealed class SignalProxy : IDisposable
    {
        readonly PosixSignalRegistration[] _registrations;
        public SignalProxy(DaemonClient client, string id)
        {
            _registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(sig => PosixSignalRegistration.Create(sig, ctx =>
            {
                ctx.Cancel = true;
                var name = sig == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
                _ = client.PostAsync($"containers/{id}/kill?signal={name}");
            })).ToArray();
        }
        public void Dispose() { foreach (var r in _registrations) r.Dispose(); }
    }

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

    // ---- ls / inspect ------------------------------------------------------------------------

    static Command List(string name, string[] aliases)
    {
        var cmd = new Command(name, "List containers");
        foreach (var a in aliases) cmd.Aliases.Add(a);
        var all = new Option<bool>("--all", "-a") { Description = "Show all containers (default shows just running)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display container IDs" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Filter output (name=, id=, status=, label=, ancestor=, exited=, network=, publish=, expose=)" };
        var format = new Option<string?>("--format") { Description = "Format output using a Go template" };
        var last = new Option<int?>("--last", "-n") { Description = "Show n last created containers (includes all states)" };
        var latest = new Option<bool>("--latest", "-l") { Description = "Show the latest created container (includes all states)" };
        foreach (var o in new Option[] { all, quiet, noTrunc, filter, format, last, latest }) cmd.Options.Add(o);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var limit = pr.GetValue(latest) ? 1 : pr.GetValue(last) ?? 0;
            var filters = FiltersJson(pr.GetValue(filter) ?? []);
            var url = $"containers/json?all={(pr.GetValue(all) || limit > 0 ? 1 : 0)}&limit={limit}" + (filters is null ? "" : "&filters=" + Cli.Q(filters));
            var rows = await client.GetJsonAsync(url, ApiJson.Default.ListContainerSummary, ct);
            var trunc = !pr.GetValue(noTrunc);
            if (pr.GetValue(quiet))
            {
                foreach (var r in rows) Console.WriteLine(trunc ? r.Id[..12] : r.Id);
                return 0;
            }
            if (pr.GetValue(format) is { } f)
            {
                PrintFormatted(f, rows.Select(r => ContainerRow(r, trunc)));
                return 0;
            }
            var table = new Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
            foreach (var r in rows)
            {
                var command = trunc && r.Command.Length > 20 ? r.Command[..19] + "…" : r.Command;
                table.Add(trunc ? r.Id[..12] : r.Id, r.Image, $"\"{command}\"", Human.Ago(DateTimeOffset.FromUnixTimeSeconds(r.Created)),
                    r.Status, string.Join(", ", r.Ports.Select(FormatPort)), string.Join(",", r.Names.Select(n => n.TrimStart('/'))));
            }
            Console.Write(table);
            return 0;
        });
        return cmd;
    }

    static string FormatPort(PortSummary p) =>
        p.PublicPort is { } pub ? $"{p.IP ?? "0.0.0.0"}:{pub}->{p.PrivatePort}/{p.Type}" : $"{p.PrivatePort}/{p.Type}";

    static JsonObject ContainerRow(ContainerSummary r, bool trunc) => new()
    {
        ["ID"] = trunc ? r.Id[..12] : r.Id,
        ["Image"] = r.Image,
        ["Command"] = $"\"{r.Command}\"",
        ["CreatedAt"] = DateTimeOffset.FromUnixTimeSeconds(r.Created).ToString("yyyy-MM-dd HH:mm:ss zzz"),
        ["RunningFor"] = Human.Ago(DateTimeOffset.FromUnixTimeSeconds(r.Created)),
        ["Ports"] = string.Join(", ", r.Ports.Select(FormatPort)),
        ["State"] = r.State,
        ["Status"] = r.Status,
        ["Names"] = string.Join(",", r.Names.Select(n => n.TrimStart('/'))),
        ["Labels"] = string.Join(",", r.Labels.Select(kv => $"{kv.Key}={kv.Value}")),
        ["Networks"] = r.NetworkSettings is { } ns ? string.Join(",", ns.Networks.Keys) : "",
    };

    /// <summary>--format with docker's "table" prefix (print a header row).</summary>
    internal static void PrintFormatted(string format, IEnumerable<JsonObject> rows)
    {
        var table = format.StartsWith("table", StringComparison.Ordinal);
        var body = (table ? format[5..].TrimStart() : format).Replace("\\t", "\t").Replace("\\n", "\n");
        var template = GoTemplate.Parse(body);
        if (table)
        {
            var header = System.Text.RegularExpressions.Regex.Replace(body, @"\{\{\s*\.(\w+)\s*\}\}", m => m.Groups[1].Value.ToUpperInvariant());
            Console.WriteLine(header);
        }
        foreach (var r in rows) Console.WriteLine(template.Execute(r));
    }

    internal static string? FiltersJson(IEnumerable<string> filters)
    {
        var map = new Dictionary<string, List<string>>();
        foreach (var f in filters)
        {
            var eq = f.IndexOf('=');
            if (eq <= 0) throw new FormatException($"bad format of filter (expected name=value): {f}");
            var (k, v) = (f[..eq], f[(eq + 1)..]);
            if (!map.TryGetValue(k, out var list)) map[k] = list = [];
            list.Add(v);
        }
        if (map.Count == 0) return null;
        var obj = new JsonObject();
        foreach (var (k, v) in map) obj[k] = new JsonArray(v.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());
        return obj.ToJsonString();
    }

    static Command Inspect()
    {
        var cmd = new Command("inspect", "Display detailed information on one or more containers");
        var format = new Option<string?>("--format", "-f") { Description = "Format output using a Go template" };
        var names = new Argument<string[]>("container") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(format); cmd.Arguments.Add(names);
        Cli.Action(cmd, (pr, ct) => InspectAsync(pr, pr.GetValue(names)!, pr.GetValue(format), "container", ct));
        return cmd;
    }

    /// <summary>Inspect of containers, images or either (type "any"): a JSON array, or one template line per object.</summary>
    internal static async Task<int> InspectAsync(ParseResult pr, string[] names, string? format, string type, CancellationToken ct)
    {
        using var client = Cli.Client(pr);
        var docs = new List<JsonElement>();
        var failed = false;
        foreach (var n in names)
        {
            JsonElement? doc = null;
            foreach (var kind in type == "any" ? new[] { "container", "image" } : [type])
            {
                var path = kind switch
                {
                    "container" => $"containers/{Cli.Q(n)}/json",
                    "network" => $"networks/{Cli.Q(n)}",
                    "router" => $"routers/{Cli.Q(n)}",
                    _ => $"images/{n}/json",
                };
                try { doc = await client.GetJsonAsync(path, ApiJson.Default.JsonElement, ct); break; }
                catch (ApiException e) when (e.Status == 404) { }
            }
            if (doc is null)
            {
                Console.Error.WriteLine($"gitops: Error: No such {(type == "any" ? "object" : type)}: {n}");
                failed = true;
                continue;
            }
            docs.Add(doc.Value);
        }
        if (format is not null)
        {
            var template = GoTemplate.Parse(format);
            foreach (var d in docs) Console.WriteLine(template.Execute(JsonNode.Parse(d.GetRawText())));
        }
        else Console.WriteLine(JsonSerializer.Serialize(docs, IndentedJson.Default.ListJsonElement));
        return failed ? 1 : 0;
    }

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

    // ---- filesystem / processes --------------------------------------------------------------

    static Command Diff()
    {
        var cmd = new Command("diff", "Inspect changes to files or directories on a container's filesystem (A added, C changed, D deleted)");
        var name = new Argument<string>("container");
        cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var changes = await client.GetJsonAsync($"containers/{Cli.Q(pr.GetValue(name)!)}/changes", ApiJson.Default.ListChangeItem, ct);
            foreach (var c in changes) Console.WriteLine($"{c.Kind switch { 0 => "C", 1 => "A", _ => "D" }} {c.Path}");
            return 0;
        });
        return cmd;
    }

    static Command Commit()
    {
        var cmd = new Command("commit", "Create a new image from a container's changes");
        var author = new Option<string?>("--author", "-a") { Description = "Author" };
        var message = new Option<string?>("--message", "-m") { Description = "Commit message" };
        var change = new Option<string[]>("--change", "-c") { Description = "Apply Dockerfile instruction to the created image" };
        var pause = new Option<bool>("--pause", "-p") { Description = "Pause container during commit", DefaultValueFactory = _ => true };
        var name = new Argument<string>("container");
        var repo = new Argument<string?>("repository") { Arity = ArgumentArity.ZeroOrOne };
        foreach (var o in new Option[] { author, message, change, pause }) cmd.Options.Add(o);
        cmd.Arguments.Add(name); cmd.Arguments.Add(repo);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var q = $"commit?container={Cli.Q(pr.GetValue(name)!)}&pause={(pr.GetValue(pause) ? 1 : 0)}";
            if (pr.GetValue(repo) is { } r) q += "&repo=" + Cli.Q(r);
            if (pr.GetValue(author) is { } a) q += "&author=" + Cli.Q(a);
            if (pr.GetValue(message) is { } m) q += "&comment=" + Cli.Q(m);
            var result = await client.PostJsonAsync(q, new CommitRequest(pr.GetValue(change) ?? []), ApiJson.Default.CommitRequest, ApiJson.Default.IdResponse, ct);
            Console.WriteLine(result.Id);
            return 0;
        });
        return cmd;
    }

    static Command Top()
    {
        var cmd = new Command("top", "Display the running processes of a container");
        var name = new Argument<string>("container");
        cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var top = await client.GetJsonAsync($"containers/{Cli.Q(pr.GetValue(name)!)}/top", ApiJson.Default.TopResponse, ct);
            var table = new Table(top.Titles.ToArray());
            foreach (var row in top.Processes) table.Add(row.ToArray());
            Console.Write(table);
            return 0;
        });
        return cmd;
    }
}
