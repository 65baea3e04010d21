using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Daemon;
using GitOps.Cli.Output;
using GitOps.Runtime.Events;

namespace GitOps.Cli.Commands;

internal static class SystemCommands
{
    public static Command Version()
    {
        var cmd = new Command("version", "Show the gitops version information");
        Cli.Action(cmd, async (pr, ct) =>
        {
            Console.WriteLine("Client:");
            Console.WriteLine($" Version:      {BuildInfo.Version}");
            Console.WriteLine($" OS/Arch:      linux/{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}");
            Console.WriteLine();
            using var client = Cli.Client(pr);
            try
            {
                var v = await client.GetJsonAsync("version", ApiJson.Default.VersionResponse, ct);
                Console.WriteLine("Server:");
                Console.WriteLine($" Version:      {v.Version}");
                Console.WriteLine($" API version:  {v.ApiVersion}");
                Console.WriteLine($" Kernel:       {v.KernelVersion}");
                Console.WriteLine($" Cgroup:       v{v.CgroupVersion}");
                Console.WriteLine($" Root:         {v.Root}");
                return 0;
            }
            catch (CliException e)
            {
                Console.Error.WriteLine($"gitops: {e.Message}");
                return 1;
            }
        });
        return cmd;
    }

    public static Command Info()
    {
        var cmd = new Command("info", "Display system-wide information");
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var i = await client.GetJsonAsync("info", ApiJson.Default.InfoResponse, ct);
            Console.WriteLine($"Containers: {i.Containers}");
            Console.WriteLine($" Running: {i.ContainersRunning}");
            Console.WriteLine($" Paused: {i.ContainersPaused}");
            Console.WriteLine($" Stopped: {i.ContainersStopped}");
            Console.WriteLine($"Images: {i.Images}");
            Console.WriteLine($"Server Version: {i.ServerVersion}");
            Console.WriteLine($"Storage Driver: {i.Driver}");
            Console.WriteLine($"Cgroup Driver: {i.CgroupDriver}");
            Console.WriteLine($"Cgroup Version: {i.CgroupVersion}");
            Console.WriteLine($"Kernel Version: {i.KernelVersion}");
            Console.WriteLine($"Operating System: {i.OperatingSystem}");
            Console.WriteLine($"CPUs: {i.NCPU}");
            Console.WriteLine($"Total Memory: {Human.Size(i.MemTotal)}");
            Console.WriteLine($"Root Dir: {i.DockerRootDir}");
            return 0;
        });
        return cmd;
    }

    public static Command Events()
    {
        var cmd = new Command("events", "Get real time events from the daemon (create, start, die, oom, kill, destroy, ...)");
        var since = new Option<string?>("--since") { Description = "Show all events created since timestamp" };
        var until = new Option<string?>("--until") { Description = "Stream events until this timestamp" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Filter output (type=, event=, container=, image=, label=)" };
        var format = new Option<string?>("--format") { Description = "Format the output using a Go template ('{{json .}}' for JSON lines)" };
        foreach (var o in new Option[] { since, until, filter, format }) cmd.Options.Add(o);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var q = "events?";
            if (pr.GetValue(since) is { } s) q += "since=" + Cli.Q(s) + "&";
            if (pr.GetValue(until) is { } u) q += "until=" + Cli.Q(u) + "&";
            if (ContainerCommands.FiltersJson(pr.GetValue(filter) ?? []) is { } f) q += "filters=" + Cli.Q(f);
            var template = pr.GetValue(format) is { } fmt ? GoTemplate.Parse(fmt) : null;
            await using var stream = await client.GetStreamAsync(q, ct);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0) continue;
                if (template is not null) { Console.WriteLine(template.Execute(JsonNode.Parse(line))); continue; }
                var e = JsonSerializer.Deserialize(line, ApiJson.Default.EngineEvent)!;
                Console.WriteLine(Format(e));
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>docker events' line: time type action id (attr=value, ...).</summary>
    public static string Format(EngineEvent e)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(e.TimeNano / 1_000_000).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff") + "00Z";
        var attrs = string.Join(", ", e.Actor.Attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        return $"{time} {e.Type} {e.Action} {e.Actor.Id}" + (attrs.Length > 0 ? $" ({attrs})" : "");
    }

    public static Command Inspect()
    {
        var cmd = new Command("inspect", "Return low-level information on containers or images");
        var format = new Option<string?>("--format", "-f") { Description = "Format output using a Go template" };
        var type = new Option<string>("--type") { Description = "Only inspect objects of this type (container, image)", DefaultValueFactory = _ => "any" };
        var names = new Argument<string[]>("name") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(format); cmd.Options.Add(type); cmd.Arguments.Add(names);
        Cli.Action(cmd, (pr, ct) => ContainerCommands.InspectAsync(pr, pr.GetValue(names)!, pr.GetValue(format), pr.GetValue(type)!, ct));
        return cmd;
    }

    public static Command Daemon()
    {
        var cmd = new Command("daemon", "Run the gitops daemon: the container engine, the GitOps reconciler and its API on a Unix socket");
        var root = new Option<string>("--root") { Description = "Root directory of persistent state", DefaultValueFactory = _ => DaemonHost.DefaultRoot };
        var config = new Option<string?>("--config") { Description = "Daemon config file (applications, webhook, telemetry); see schemas/gitops-config.schema.json" };
        var drift = new Option<string>("--drift-interval") { Description = "How often actual state is compared with the last applied state", DefaultValueFactory = _ => "5s" };
        var webhook = new Option<string?>("--webhook-listen") { Description = "ADDRESS:PORT for Git push webhooks (POST /hooks); overrides the config file" };
        var otlp = new Option<string?>("--otlp-endpoint") { Description = "Send traces and metrics to this OTLP endpoint (or $OTEL_EXPORTER_OTLP_ENDPOINT)" };
        var console = new Option<bool>("--telemetry-console") { Description = "Print traces and metrics on standard output" };
        var insecure = new Option<string[]>("--insecure-registry") { Description = "Registry (host[:port] or CIDR) reached over plain HTTP or unverified HTTPS; loopback always is" };
        var nodeName = new Option<string?>("--node-name") { Description = "This node's name in a cluster (default: the hostname); node.hostname constraints match it" };
        var etcdEndpoints = new Option<string?>("--etcd-endpoints") { Description = "Use this external etcd cluster (comma-separated https URLs) instead of a member supervised by the daemon" };
        var etcdCa = new Option<string?>("--etcd-cacert") { Description = "CA certificate of the external etcd (PEM)" };
        var etcdCert = new Option<string?>("--etcd-cert") { Description = "Client certificate for the external etcd (PEM)" };
        var etcdKey = new Option<string?>("--etcd-key") { Description = "Client key for the external etcd (PEM)" };
        var metrics = new Option<string?>("--metrics-listen") { Description = "ADDRESS:PORT serving Prometheus metrics on GET /metrics (http routers' requests per version, the reconciler's)" };
        foreach (var o in new Option[] { root, config, drift, webhook, otlp, console, insecure, nodeName, etcdEndpoints, etcdCa, etcdCert, etcdKey, metrics }) cmd.Options.Add(o);
        cmd.SetAction((pr, _) =>
        {
            if (!Durations.TryParse(pr.GetValue(drift)!, out var interval) || interval <= TimeSpan.Zero)
            {
                Console.Error.WriteLine($"gitops daemon: invalid --drift-interval \"{pr.GetValue(drift)}\": expected a duration such as 5s");
                return Task.FromResult(1);
            }
            if (ClusterOptions.External(pr.GetValue(etcdEndpoints), pr.GetValue(etcdCa), pr.GetValue(etcdCert), pr.GetValue(etcdKey), out var external) is { } etcdError)
            {
                Console.Error.WriteLine($"gitops daemon: {etcdError}");
                return Task.FromResult(1);
            }
            return DaemonHost.RunAsync(new DaemonOptions(
                pr.GetValue(root)!, pr.GetValue(Cli.Socket) ?? DaemonHost.DefaultSocket, pr.GetValue(config), interval, pr.GetValue(webhook),
                pr.GetValue(otlp) ?? Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"), pr.GetValue(console),
                pr.GetValue(insecure) ?? [])
            {
                NodeName = pr.GetValue(nodeName) ?? Environment.MachineName,
                ExternalEtcd = external,
                MetricsListen = pr.GetValue(metrics),
            });
        });
        return cmd;
    }
}
