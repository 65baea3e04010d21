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
internal static partial class ContainerCommands
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

}
