using GitOps.Bench;

// gitops benchmarks. Usage: bench/run.sh [engine|network|images|storage|gitops|fleet] [--runs N] [--sleepers N] [--volumes N] [--api-only] [--seconds N] [--connections N] [--apps N] [--interval SECONDS] [--in-process]
var suite = args.FirstOrDefault(a => !a.StartsWith("--")) ?? "engine";
int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}

var repo = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(repo, "GitOps.sln"))) repo = Path.GetDirectoryName(repo.TrimEnd('/'))!;
var gitops = Environment.GetEnvironmentVariable("GITOPS_BIN") is { Length: > 0 } b ? b : Path.Combine(repo, "out", "gitops");
Console.WriteLine($"# gitops benchmarks ({suite}) — {Environment.ProcessorCount} CPUs, kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}, binary {gitops}");

switch (suite)
{
    case "engine":
        using (var bench = new EngineBench(gitops, repo, Arg("--runs", 50), Arg("--sleepers", 200), args.Contains("--api-only")))
            await bench.RunAsync();
        break;
    case "network":
        using (var bench = new NetworkBench(gitops, repo, Arg("--seconds", 5), Arg("--connections", 8)))
            bench.Run();
        break;
    case "images":
        using (var bench = new ImagesBench(gitops, repo, Arg("--runs", 5)))
            await bench.RunAsync();
        break;
    case "storage":
        using (var bench = new StorageBench(gitops, repo, Arg("--runs", 30), Arg("--volumes", 200)))
            await bench.RunAsync();
        break;
    case "fleet":
        new FleetBench(Arg("--runs", 7)).Run();
        break;
    case "gitops":
        using (var bench = new GitOpsLoopBench(gitops, repo, Arg("--runs", 7), Arg("--apps", 100), Arg("--interval", 10), args.Contains("--in-process")))
            await bench.RunAsync();
        break;
    default:
        Console.Error.WriteLine($"unknown suite {suite}; known: engine, network, images, storage, gitops, fleet");
        return 1;
}
return 0;
