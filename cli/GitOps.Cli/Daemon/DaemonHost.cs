using GitOps.Reconciler.Configuration;
using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Reconcile;
using GitOps.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace GitOps.Cli.Daemon;

internal static class DaemonHost
{
    public const string DefaultRoot = "/var/lib/gitops";
    public const string DefaultSocket = "/run/gitops/gitops.sock";

    public static async Task<int> RunAsync(DaemonOptions options)
    {
        var (root, socket) = (options.Root, options.Socket);
        if (GitOps.Runtime.Linux.Sys.GetEuid() != 0)
        {
            Console.Error.WriteLine("gitops daemon: must run as root (it creates namespaces, cgroups and mounts)");
            return 1;
        }
        DaemonConfig? config = null;
        if (options.ConfigFile is { } file)
        {
            var (loaded, diagnostics) = DaemonConfigLoader.Load(file);
            foreach (var d in diagnostics) Console.Error.WriteLine(d);
            if (loaded is null || diagnostics.Any(d => d.Severity == Severity.Error))
            {
                Console.Error.WriteLine($"gitops daemon: {file} is not valid; nothing started");
                return 1;
            }
            config = loaded;
        }
        Engine engine;
        try
        {
            ApiServer.PrepareSocket(socket);
            engine = new Engine(new EngineOptions
            {
                Root = root,
                InitHelperImage = () => typeof(DaemonHost).Assembly.GetManifestResourceStream("gitops-init"),
                Registry = new Runtime.Images.Registry.RegistryOptions { InsecureRegistries = options.InsecureRegistries },
            });
            engine.Start();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"gitops daemon: {e.Message}");
            return 1;
        }
        using (engine)
        using (Telemetry.Start(options.OtlpEndpoint ?? config?.Telemetry.OtlpEndpoint?.ToString(), options.TelemetryConsole || config?.Telemetry.Console == true))
        using (var reconciler = new ReconcilerHost(new GitOps.Reconciler.Ports.Local.LocalEngine(engine), engine.Paths.Root, config?.Apps ?? [], options.DriftInterval, Log, config?.Policies))
        {
            // Not in a cluster, the node does nothing (no etcd); a member resumes its membership here.
            await using var node = new GitOps.Cluster.Membership.ClusterNode(new GitOps.Cluster.ClusterPaths(engine.Paths.Root),
                new GitOps.Cluster.Membership.NodeOptions(options.NodeName, BuildInfo.Version, options.ExternalEtcd), Log, ClusterListener.StartAsync);
            await ClusterStartup.StartAsync(node, Log);
            var webhook = options.WebhookListen ?? config?.Webhook?.Listen.ToString();
            var app = ApiServer.Build(engine, socket, reconciler, webhook, config?.Webhook?.Secret, node);
            await app.StartAsync();
            MetricsServer? metrics = null;
            if (options.MetricsListen is { } listen)
            {
                try { metrics = await MetricsServer.StartAsync(listen); }
                catch (InvalidOperationException e)
                {
                    Console.Error.WriteLine($"gitops daemon: {e.Message}");
                    await app.StopAsync();
                    return 1;
                }
            }
            await using var metricsServer = metrics;
            reconciler.Start();
            ApiServer.SecureSocket(socket);
            Console.WriteLine($"gitops daemon {BuildInfo.Version}: API on unix://{socket}, root {engine.Paths.Root}, cgroup v{engine.Cgroups.Version}, {engine.Containers.All().Count} containers, {reconciler.Apps.Count} applications" +
                (webhook is not null ? $", webhooks on http://{webhook}/hooks" : "") + (metrics is not null ? $", metrics on http://{options.MetricsListen}/metrics" : ""));
            // Containers keep running when the daemon stops (as with Docker's live-restore); the next
            // daemon re-adopts them.
            await app.WaitForShutdownAsync();
            try { File.Delete(socket); } catch (IOException) { }
        }
        return 0;
    }

    /// <summary>The reconciler's log: one line per event, UTC timestamps, never a secret value (callers only pass names and digests).</summary>
    static void Log(string message) => Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {message}");
}
