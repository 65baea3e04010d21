using GitOps.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace GitOps.Cli.Daemon;

internal static class DaemonHost
{
    public const string DefaultRoot = "/var/lib/gitops";
    public const string DefaultSocket = "/run/gitops/gitops.sock";

    public static async Task<int> RunAsync(string root, string socket, IReadOnlyList<string>? insecureRegistries = null)
    {
        if (GitOps.Runtime.Linux.Sys.GetEuid() != 0)
        {
            Console.Error.WriteLine("gitops daemon: must run as root (it creates namespaces, cgroups and mounts)");
            return 1;
        }
        Engine engine;
        try
        {
            ApiServer.PrepareSocket(socket);
            engine = new Engine(new EngineOptions
            {
                Root = root,
                InitHelperImage = () => typeof(DaemonHost).Assembly.GetManifestResourceStream("gitops-init"),
                Registry = new Runtime.Images.Registry.RegistryOptions { InsecureRegistries = insecureRegistries ?? [] },
            });
            engine.Start();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"gitops daemon: {e.Message}");
            return 1;
        }
        using (engine)
        {
            var app = ApiServer.Build(engine, socket);
            await app.StartAsync();
            ApiServer.SecureSocket(socket);
            Console.WriteLine($"gitops daemon {BuildInfo.Version}: API on unix://{socket}, root {engine.Paths.Root}, cgroup v{engine.Cgroups.Version}, {engine.Containers.All().Count} containers");
            // Containers keep running when the daemon stops (as with Docker's live-restore); the next
            // daemon re-adopts them.
            await app.WaitForShutdownAsync();
            try { File.Delete(socket); } catch (IOException) { }
        }
        return 0;
    }
}
