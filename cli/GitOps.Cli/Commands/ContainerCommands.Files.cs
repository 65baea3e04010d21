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

/// <summary>docker diff, commit and top.</summary>
internal static partial class ContainerCommands
{
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
