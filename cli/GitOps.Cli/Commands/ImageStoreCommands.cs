using System.CommandLine;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Output;
using GitOps.Runtime.Images;

namespace GitOps.Cli.Commands;

/// <summary>docker image history, save, load and push (image prune is with the other prune verbs).</summary>
internal static class ImageStoreCommands
{
    public static Command History()
    {
        var cmd = new Command("history", "Show the history of an image");
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only show image IDs" };
        var human = new Option<bool>("--human", "-H") { Description = "Print sizes and dates in human readable format", DefaultValueFactory = _ => true };
        var name = new Argument<string>("image");
        cmd.Options.Add(noTrunc); cmd.Options.Add(quiet); cmd.Options.Add(human); cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var rows = await client.GetJsonAsync($"images/{pr.GetValue(name)}/history", ApiJson.Default.ListHistoryItem, ct);
            var trunc = !pr.GetValue(noTrunc);
            string Id(string id) => id == "<missing>" || !trunc ? id : id[7..19];
            if (pr.GetValue(quiet))
            {
                foreach (var r in rows) Console.WriteLine(Id(r.Id));
                return 0;
            }
            var table = new Table("IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
            foreach (var r in rows)
            {
                var by = r.CreatedBy.Replace('\t', ' ');
                if (trunc && by.Length > 45) by = by[..44] + "…";
                var created = DateTimeOffset.FromUnixTimeSeconds(r.Created);
                table.Add(Id(r.Id), pr.GetValue(human) ? Human.Ago(created) : created.ToString("yyyy-MM-ddTHH:mm:ssK"), by,
                    pr.GetValue(human) ? Human.Size(r.Size) : r.Size.ToString(), r.Comment);
            }
            Console.Write(table);
            return 0;
        });
        return cmd;
    }

    public static Command Save()
    {
        var cmd = new Command("save", "Save one or more images to a tar archive (docker-archive and OCI layout in one)");
        var output = new Option<string?>("--output", "-o") { Description = "Write to a file, instead of STDOUT" };
        var names = new Argument<string[]>("image") { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(output); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var file = pr.GetValue(output);
            if (file is null && !Console.IsOutputRedirected)
                throw new CliException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
            using var client = Cli.Client(pr);
            var q = "images/get?" + string.Join('&', pr.GetValue(names)!.Select(n => "names=" + Cli.Q(n)));
            await using var stream = await client.GetStreamAsync(q, ct);
            if (file is null)
            {
                await using var stdout = Console.OpenStandardOutput();
                await stream.CopyToAsync(stdout, ct);
                return 0;
            }
            // Written beside the target and renamed in: a failed save leaves no half archive.
            var tmp = file + ".tmp" + Environment.ProcessId;
            try
            {
                await using (var f = File.Create(tmp)) await stream.CopyToAsync(f, ct);
                File.Move(tmp, file, overwrite: true);
            }
            finally { if (File.Exists(tmp)) File.Delete(tmp); }
            return 0;
        });
        return cmd;
    }

    public static Command Load()
    {
        var cmd = new Command("load", "Load an image from a tar archive or STDIN (docker-archive or OCI layout, plain or gzip)");
        var input = new Option<string?>("--input", "-i") { Description = "Read from tar archive file, instead of STDIN" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress the load output" };
        cmd.Options.Add(input); cmd.Options.Add(quiet);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var file = pr.GetValue(input);
            if (file is null && !Console.IsInputRedirected)
                throw new CliException("requested load from stdin, but stdin is empty");
            if (file is not null && !File.Exists(file)) throw new CliException($"open {file}: no such file or directory");
            using var client = Cli.Client(pr);
            var content = new StreamContent(file is null ? Console.OpenStandardInput() : File.OpenRead(file));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
            using var response = await client.SendAsync(HttpMethod.Post, "images/load", content, HttpCompletionOption.ResponseHeadersRead, ct);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            await ProgressPrinter.PrintAsync(stream, Console.Out, pr.GetValue(quiet), ct);
            return 0;
        });
        return cmd;
    }

    public static Command Push()
    {
        var cmd = new Command("push", "Upload an image to a registry");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress verbose output" };
        var name = new Argument<string>("name") { Description = "NAME[:TAG]" };
        cmd.Options.Add(quiet); cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var reference = ImageReference.Parse(pr.GetValue(name)!);
            using var client = Cli.Client(pr);
            var q = $"images/{reference.Repository}/push?tag={Cli.Q(reference.Tag ?? "latest")}";
            using var response = await client.SendAsync(HttpMethod.Post, q, completion: HttpCompletionOption.ResponseHeadersRead, ct: ct);
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            await ProgressPrinter.PrintAsync(stream, Console.Out, pr.GetValue(quiet), ct);
            if (pr.GetValue(quiet)) Console.WriteLine(reference.Familiar);
            return 0;
        });
        return cmd;
    }
}
