using System.CommandLine;
using System.Formats.Tar;
using System.IO.Pipelines;
using System.Text.Json;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Output;
using GitOps.Runtime.Images;
using GitOps.Runtime.Images.Build;

namespace GitOps.Cli.Commands;

/// <summary>docker build: the context (less what .dockerignore leaves out) goes to the daemon as a tar.</summary>
internal static class BuildCommand
{
    public static Command Create()
    {
        var cmd = new Command("build", "Build an image from a Dockerfile");
        var tags = new Option<string[]>("--tag", "-t") { Description = "Name and optionally a tag in the 'name:tag' format" };
        var file = new Option<string?>("--file", "-f") { Description = "Name of the Dockerfile (default: 'PATH/Dockerfile')" };
        var args = new Option<string[]>("--build-arg") { Description = "Set build-time variables (KEY=VALUE, or KEY to pass the CLI's value)" };
        var target = new Option<string?>("--target") { Description = "Set the target build stage to build" };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not use cache when building the image" };
        var pull = new Option<bool>("--pull") { Description = "Always attempt to pull a newer version of the image" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress the build output and print image ID on success" };
        var network = new Option<string?>("--network") { Description = "Networking mode for the RUN instructions (bridge, host, none)" };
        var labels = new Option<string[]>("--label") { Description = "Set metadata for an image" };
        var context = new Argument<string>("path") { Description = "The build context: a directory" };
        foreach (var o in new Option[] { tags, file, args, target, noCache, pull, quiet, network, labels }) cmd.Options.Add(o);
        cmd.Arguments.Add(context);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var dir = Path.GetFullPath(pr.GetValue(context)!);
            if (!Directory.Exists(dir)) throw new CliException($"unable to prepare context: path \"{pr.GetValue(context)}\" not found");
            var dockerfile = Path.GetFullPath(pr.GetValue(file) ?? Path.Combine(dir, "Dockerfile"));
            if (!File.Exists(dockerfile)) throw new CliException($"unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {dockerfile}: no such file or directory");
            // A Dockerfile outside the context travels with it under a name of its own.
            var relative = Path.GetRelativePath(dir, dockerfile);
            var outside = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative);
            var dockerfileName = outside ? ".gitops-dockerfile-" + Guid.NewGuid().ToString("N")[..8] : relative;

            var q = "build?dockerfile=" + Cli.Q(dockerfileName);
            foreach (var t in pr.GetValue(tags) ?? [])
            {
                var reference = ImageReference.Parse(t);
                q += "&t=" + Cli.Q(reference.ToString());
            }
            var buildArgs = new Dictionary<string, string>();
            foreach (var a in pr.GetValue(args) ?? [])
            {
                var eq = a.IndexOf('=');
                if (eq > 0) buildArgs[a[..eq]] = a[(eq + 1)..];
                else if (Environment.GetEnvironmentVariable(a) is { } v) buildArgs[a] = v;
            }
            if (buildArgs.Count > 0) q += "&buildargs=" + Cli.Q(JsonSerializer.Serialize(buildArgs, ApiJson.Default.DictionaryStringString));
            var labelMap = (pr.GetValue(labels) ?? []).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
            if (labelMap.Count > 0) q += "&labels=" + Cli.Q(JsonSerializer.Serialize(labelMap, ApiJson.Default.DictionaryStringString));
            if (pr.GetValue(target) is { } tg) q += "&target=" + Cli.Q(tg);
            if (pr.GetValue(noCache)) q += "&nocache=1";
            if (pr.GetValue(pull)) q += "&pull=1";
            if (pr.GetValue(network) is { } n) q += "&networkmode=" + Cli.Q(n);

            var pipe = new Pipe();
            var producer = Task.Run(async () =>
            {
                try
                {
                    await using var w = pipe.Writer.AsStream();
                    WriteContext(dir, outside ? dockerfile : null, dockerfileName, w);
                    await pipe.Writer.CompleteAsync();
                }
                catch (Exception e) { await pipe.Writer.CompleteAsync(e); }
            }, ct);
            using var client = Cli.Client(pr);
            var content = new StreamContent(pipe.Reader.AsStream());
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
            using var response = await client.SendAsync(HttpMethod.Post, q, content, HttpCompletionOption.ResponseHeadersRead, ct);
            await producer;
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var id = await ProgressPrinter.PrintAsync(stream, Console.Out, pr.GetValue(quiet), ct);
            if (pr.GetValue(quiet) && id is not null) Console.WriteLine(id);
            return 0;
        });
        return cmd;
    }

    /// <summary>The context as a tar: everything .dockerignore lets through, plus the Dockerfile and .dockerignore themselves.</summary>
    static void WriteContext(string dir, string? outsideDockerfile, string dockerfileName, Stream output)
    {
        var ignore = DockerIgnore.Load(dir);
        using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rel in ignore.Walk(dir))
        {
            tar.WriteEntry(Path.Combine(dir, rel), rel);
            written.Add(rel);
        }
        foreach (var always in new[] { ".dockerignore", outsideDockerfile is null ? dockerfileName : null })
            if (always is not null && !written.Contains(always) && File.Exists(Path.Combine(dir, always)))
                tar.WriteEntry(Path.Combine(dir, always), always);
        if (outsideDockerfile is not null) tar.WriteEntry(outsideDockerfile, dockerfileName);
    }
}
