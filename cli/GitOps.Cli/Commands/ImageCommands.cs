using System.CommandLine;
using System.IO.Pipelines;
using System.Text.Json.Nodes;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Output;
using GitOps.Runtime.Images;

namespace GitOps.Cli.Commands;

/// <summary>docker image's verbs.</summary>
internal static class ImageCommands
{
    public static Command Group()
    {
        var group = new Command("image", "Manage images");
        foreach (var c in new[] { Import(), List("ls", ["list"]), Remove("rm", ["remove"]), Inspect(), Tag(), RegistryCommands.Pull(), BuildCommand.Create(),
                     ImageStoreCommands.History(), ImageStoreCommands.Save(), ImageStoreCommands.Load(), ImageStoreCommands.Push() }) group.Subcommands.Add(c);
        group.Subcommands.Add(HousekeepingCommands.ImagePrune());
        return group;
    }

    /// <summary>docker images and docker rmi. No top-level history: <c>gitops history APP</c> is an application's revisions; an image's is <c>gitops image history</c>.</summary>
    public static IEnumerable<Command> ShortForms() => [List("images", []), Remove("rmi", []), Tag(), RegistryCommands.Pull(), BuildCommand.Create(),
        ImageStoreCommands.Save(), ImageStoreCommands.Load(), ImageStoreCommands.Push()];

    static Command Import()
    {
        var cmd = new Command("import", "Import the contents of a tarball or a directory to create a filesystem image");
        var change = new Option<string[]>("--change", "-c") { Description = "Apply Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, ...)" };
        var message = new Option<string?>("--message", "-m") { Description = "Set commit message for imported image" };
        var source = new Argument<string>("file|dir|-") { Description = "A tar archive (plain or gzip), a root filesystem directory, or - for stdin" };
        var repo = new Argument<string?>("repository[:tag]") { Arity = ArgumentArity.ZeroOrOne };
        cmd.Options.Add(change); cmd.Options.Add(message); cmd.Arguments.Add(source); cmd.Arguments.Add(repo);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var q = "images/import?";
            if (pr.GetValue(repo) is { } r)
            {
                var reference = ImageReference.Parse(r);
                q += "repo=" + Cli.Q(reference.Repository) + "&tag=" + Cli.Q(reference.Tag ?? "latest");
            }
            if (pr.GetValue(message) is { } m) q += "&message=" + Cli.Q(m);
            foreach (var c in pr.GetValue(change) ?? []) q += "&changes=" + Cli.Q(c);
            var src = pr.GetValue(source)!;
            HttpContent content;
            Task? producer = null;
            if (src == "-") content = new StreamContent(Console.OpenStandardInput());
            else if (Directory.Exists(src))
            {
                // Stream the tar as it is made instead of staging it on disk.
                var pipe = new Pipe();
                producer = Task.Run(async () =>
                {
                    try
                    {
                        await using var w = pipe.Writer.AsStream();
                        new TarPacker().Pack(src, w);
                        await pipe.Writer.CompleteAsync();
                    }
                    catch (Exception e) { await pipe.Writer.CompleteAsync(e); }
                }, ct);
                content = new StreamContent(pipe.Reader.AsStream());
            }
            else if (File.Exists(src)) content = new StreamContent(File.OpenRead(src));
            else throw new CliException($"open {src}: no such file or directory");
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
            using var response = await client.SendAsync(HttpMethod.Post, q, content, ct: ct);
            if (producer is not null) await producer;
            var result = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync(response.Content, ApiJson.Default.IdResponse, ct);
            Console.WriteLine(result!.Id);
            return 0;
        });
        return cmd;
    }

    static Command List(string name, string[] aliases)
    {
        var cmd = new Command(name, "List images");
        foreach (var a in aliases) cmd.Aliases.Add(a);
        var all = new Option<bool>("--all", "-a") { Description = "Show all images" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only show image IDs" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var digests = new Option<bool>("--digests") { Description = "Show digests" };
        var format = new Option<string?>("--format") { Description = "Format output using a Go template" };
        var repo = new Argument<string?>("repository") { Arity = ArgumentArity.ZeroOrOne };
        foreach (var o in new Option[] { all, quiet, noTrunc, digests, format }) cmd.Options.Add(o);
        cmd.Arguments.Add(repo);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var images = await client.GetJsonAsync(pr.GetValue(all) ? "images/json?all=1" : "images/json", ApiJson.Default.ListImageSummary, ct);
            var trunc = !pr.GetValue(noTrunc);
            string Id(string id) => trunc ? id[7..19] : id;
            var rows = new List<(string Repo, string Tag, string Digest, ImageSummary Image)>();
            foreach (var i in images)
            {
                if (i.RepoTags.Count == 0) rows.Add(("<none>", "<none>", i.RepoDigests.FirstOrDefault()?.Split('@')[1] ?? "<none>", i));
                foreach (var t in i.RepoTags)
                {
                    var colon = t.LastIndexOf(':');
                    rows.Add((t[..colon], t[(colon + 1)..], i.RepoDigests.FirstOrDefault()?.Split('@')[1] ?? "<none>", i));
                }
            }
            if (pr.GetValue(repo) is { } wanted)
            {
                var w = ImageReference.TryParse(wanted, out var wr, out _) ? wr! : null;
                rows = rows.Where(r => r.Repo == wanted || (w is not null && r.Repo == w.FamiliarRepository && (!wanted.Contains(':') || r.Tag == w.Tag))).ToList();
            }
            if (pr.GetValue(quiet))
            {
                foreach (var id in rows.Select(r => Id(r.Image.Id)).Distinct()) Console.WriteLine(id);
                return 0;
            }
            if (pr.GetValue(format) is { } f)
            {
                ContainerCommands.PrintFormatted(f, rows.Select(r => new JsonObject
                {
                    ["ID"] = Id(r.Image.Id), ["Repository"] = r.Repo, ["Tag"] = r.Tag, ["Digest"] = r.Digest,
                    ["CreatedSince"] = Human.Ago(DateTimeOffset.FromUnixTimeSeconds(r.Image.Created)),
                    ["CreatedAt"] = DateTimeOffset.FromUnixTimeSeconds(r.Image.Created).ToString("yyyy-MM-dd HH:mm:ss zzz"),
                    ["Size"] = Human.Size(r.Image.Size),
                }));
                return 0;
            }
            var table = pr.GetValue(digests)
                ? new Table("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
                : new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
            foreach (var r in rows)
            {
                var created = Human.Ago(DateTimeOffset.FromUnixTimeSeconds(r.Image.Created));
                if (pr.GetValue(digests)) table.Add(r.Repo, r.Tag, r.Digest, Id(r.Image.Id), created, Human.Size(r.Image.Size));
                else table.Add(r.Repo, r.Tag, Id(r.Image.Id), created, Human.Size(r.Image.Size));
            }
            Console.Write(table);
            return 0;
        });
        return cmd;
    }

    static Command Remove(string name, string[] aliases)
    {
        var cmd = new Command(name, "Remove one or more images");
        foreach (var a in aliases) cmd.Aliases.Add(a);
        var force = new Option<bool>("--force", "-f") { Description = "Force removal of the image" };
        var names = new Argument<string[]>("image") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(force); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var failed = false;
            foreach (var n in pr.GetValue(names)!)
            {
                try
                {
                    using var response = await client.SendAsync(HttpMethod.Delete, $"images/{n}?force={(pr.GetValue(force) ? 1 : 0)}", ct: ct);
                    var items = await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync(response.Content, ApiJson.Default.ListImageRmItem, ct);
                    foreach (var i in items ?? [])
                        Console.WriteLine(i.Untagged is not null ? $"Untagged: {i.Untagged}" : $"Deleted: {i.Deleted}");
                }
                catch (ApiException e) { Console.Error.WriteLine($"gitops: Error response from daemon: {e.Message}"); failed = true; }
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }

    static Command Inspect()
    {
        var cmd = new Command("inspect", "Display detailed information on one or more images");
        var format = new Option<string?>("--format", "-f") { Description = "Format output using a Go template" };
        var names = new Argument<string[]>("image") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(format); cmd.Arguments.Add(names);
        Cli.Action(cmd, (pr, ct) => ContainerCommands.InspectAsync(pr, pr.GetValue(names)!, pr.GetValue(format), "image", ct));
        return cmd;
    }

    static Command Tag()
    {
        var cmd = new Command("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
        var source = new Argument<string>("source");
        var target = new Argument<string>("target");
        cmd.Arguments.Add(source); cmd.Arguments.Add(target);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var t = ImageReference.Parse(pr.GetValue(target)!);
            await client.PostAsync($"images/{pr.GetValue(source)}/tag?repo={Cli.Q(t.Repository)}&tag={Cli.Q(t.Tag ?? "latest")}", ct);
            return 0;
        });
        return cmd;
    }
}
