using System.Diagnostics;
using System.Globalization;
using GitOps.Bench.Manifests;
using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Rendering;
using GitOps.Reconciler.Yaml;

// Loads and validates generated applications and the whole test corpus, in process (cold and warm) and,
// when the peers are there, side by side with `docker stack config` (the Docker CLI's own stack loader and
// schema check) and the published `gitops validate` binary, printing ratios.
//   dotnet run -c Release --project bench/ManifestBench [-- --gitops /tmp/wt6-out/gitops]

var root = FindRoot();
var gitops = args.SkipWhile(a => a != "--gitops").Skip(1).FirstOrDefault();
var work = Path.Combine(Path.GetTempPath(), "gitops-manifest-bench");
Directory.CreateDirectory(work);
var inv = CultureInfo.InvariantCulture;

var compose1000 = Write("compose-1000/compose.yaml", Generated.Compose(1000, stack: false));
var stack1000 = Write("stack-1000/docker-stack.yml", Generated.Compose(1000, stack: true));
var k8s1000 = Write("k8s-1000/app.yaml", Generated.Kubernetes(1000));

Console.WriteLine($"# manifest load + validate ({Environment.ProcessorCount} CPUs, .NET {Environment.Version}, {(System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? "JIT" : "NativeAOT")})");
Console.WriteLine();

// Cold: the first load of a process pays for parsing the embedded schemas (Compose 75 KB; each Kubernetes kind ~650 KB).
var cold = Time(() => Check(ManifestLoader.Load([compose1000], new LoadOptions())));
Console.WriteLine($"cold first load, 1,000-service Compose app (includes Compose schema parse): {Ms(cold)}");
var coldK8s = Time(() => Check(ManifestLoader.Load([k8s1000], new LoadOptions())));
Console.WriteLine($"cold first load, 1,000 Deployments + 1,000 Services (includes Deployment/Service schema parse): {Ms(coldK8s)}");
Console.WriteLine();

Console.WriteLine("| input | objects | parse only (floor) | load + validate | render | load/parse |");
Console.WriteLine("|---|---|---|---|---|---|");
Row("generated Compose app", compose1000, "1,000 services", new LoadOptions());
Row("generated stack", stack1000, "1,000 services", new LoadOptions { Format = ManifestFormat.Stack });
Row("generated Kubernetes", k8s1000, "2,000 objects", new LoadOptions());

// The whole corpus, each application loaded as the tests load it (one load per file or project).
var corpus = CorpusInputs(root);
var corpusTimes = Repeat(5, () =>
{
    foreach (var (paths, options) in corpus) ManifestLoader.Load(paths, options);
});
var corpusFiles = corpus.Sum(c => c.Paths.Length);
Console.WriteLine($"| whole test corpus ({corpusFiles} files, {corpus.Count} loads) | {Directory.GetFiles(Path.Combine(root, "tests", "corpora"), "*", SearchOption.AllDirectories).Length} files on disk | - | {Ms(Median(corpusTimes))} | - | - |");
Console.WriteLine();

// Side by side with peers, as processes (what a user or a CI job runs).
var docker = FindOnPath("docker");
if (docker is null && gitops is null)
{
    Console.WriteLine("(no peers: pass --gitops PATH for the published binary; docker not on PATH)");
    return 0;
}
Console.WriteLine("| process | generated stack, 1,000 services | stack corpus (" + StackCorpus(root).Count + " files, one process each) |");
Console.WriteLine("|---|---|---|");
double? ours = null, theirs = null, oursCorpus = null, theirsCorpus = null;
if (gitops is not null)
{
    ours = Median(Repeat(5, () => Run(gitops, "validate", "--format", "stack", stack1000)));
    oursCorpus = Median(Repeat(3, () => { foreach (var f in StackCorpus(root)) Run(gitops, "validate", "--format", "stack", f); }));
    Console.WriteLine($"| gitops validate --format stack | {Ms(ours.Value)} | {Ms(oursCorpus.Value)} |");
}
if (docker is not null)
{
    theirs = Median(Repeat(5, () => Run(docker, "stack", "config", "-c", stack1000)));
    theirsCorpus = Median(Repeat(3, () => { foreach (var f in StackCorpus(root)) Run(docker, "stack", "config", "-c", f); }));
    Console.WriteLine($"| docker stack config -c | {Ms(theirs.Value)} | {Ms(theirsCorpus.Value)} |");
}
if (ours is not null && theirs is not null)
    Console.WriteLine($"| ratio gitops / docker | {(ours / theirs)!.Value.ToString("0.00", inv)} | {(oursCorpus / theirsCorpus)!.Value.ToString("0.00", inv)} |");
Console.WriteLine();
Console.WriteLine("docker stack config interpolates, merges and checks the v3 schema; gitops validate also maps the");
Console.WriteLine("model, checks references, ports and cycles, and reads env/secret/config files.");
return 0;

void Row(string name, string file, string objects, LoadOptions options)
{
    var text = File.ReadAllText(file);
    var parse = Median(Repeat(7, () => YamlReader.Read(file, text, new DiagnosticBag())));
    LoadResult? last = null;
    var load = Median(Repeat(7, () => last = Check(ManifestLoader.Load([file], options))));
    var render = Median(Repeat(7, () => YamlOutput.Write(DesiredStateWriter.Write(last!.Application!))));
    Console.WriteLine($"| {name} | {objects} | {Ms(parse)} | {Ms(load)} | {Ms(render)} | {(load / parse).ToString("0.0", inv)}x |");
}

LoadResult Check(LoadResult r) => r.Succeeded ? r : throw new InvalidOperationException(string.Join("\n", r.Errors.Take(5)));

string Write(string relative, string text)
{
    var path = Path.Combine(work, relative);
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    File.WriteAllText(path, text);
    return path;
}

static double Time(Action a)
{
    var sw = Stopwatch.StartNew();
    a();
    return sw.Elapsed.TotalMilliseconds;
}

static List<double> Repeat(int n, Action a)
{
    a(); // warm-up
    return [.. Enumerable.Range(0, n).Select(_ => Time(a))];
}

static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", inv) + " ms";

static void Run(string exe, params string[] arguments)
{
    var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    p.StandardOutput.ReadToEnd();
    p.StandardError.ReadToEnd();
    p.WaitForExit();
}

static string? FindOnPath(string name) =>
    (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

static List<string> StackCorpus(string root) =>
    [.. Directory.GetFiles(Path.Combine(root, "tests", "corpora", "swarm", "dogvscat"), "stack-*.yml")
        .Where(f => !f.Contains("override", StringComparison.Ordinal) && !f.Contains("elk", StringComparison.Ordinal) && !f.Contains("swarmprom", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)];

static List<(string[] Paths, LoadOptions Options)> CorpusInputs(string root)
{
    var corpora = Path.Combine(root, "tests", "corpora");
    var list = new List<(string[], LoadOptions)>();
    foreach (var f in Directory.GetFiles(corpora, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
    {
        if (Path.GetExtension(f) is not (".yaml" or ".yml" or ".json")) continue;
        var stack = f.Contains("/swarm/", StringComparison.Ordinal) && !f.Contains("example-voting-app", StringComparison.Ordinal);
        list.Add(([f], new LoadOptions { Format = stack ? ManifestFormat.Stack : ManifestFormat.Auto }));
    }
    return list;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GitOps.sln"))) dir = dir.Parent;
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}
