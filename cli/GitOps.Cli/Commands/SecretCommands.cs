using System.CommandLine;
using System.Text.Json.Nodes;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Output;
using GitOps.Runtime.Secrets;

namespace GitOps.Cli.Commands;

/// <summary>docker secret's and docker config's verbs (one implementation, two kinds), plus update: a new version of the value.</summary>
internal static class SecretCommands
{
    public static Command Group(SecretKind kind)
    {
        var noun = kind == SecretKind.Secret ? "secret" : "config";
        var group = new Command(noun, kind == SecretKind.Secret
            ? "Manage secrets: encrypted at rest, given to containers as files on a tmpfs (run --secret) or as variables (run --secret-env)"
            : "Manage configs: given to containers as read-only files (run --config)");
        foreach (var c in new[] { Create(kind, noun), Update(kind, noun), List(kind, noun), Inspect(kind, noun), Remove(kind, noun) }) group.Subcommands.Add(c);
        return group;
    }

    static string Api(SecretKind kind) => kind == SecretKind.Secret ? "secrets" : "configs";

    static Command Create(SecretKind kind, string noun)
    {
        var cmd = new Command("create", $"Create a {noun} from a file or STDIN as content (or named values with --from-file)");
        var label = new Option<string[]>("--label", "-l") { Description = $"{noun} labels" };
        var fromFile = new Option<string[]>("--from-file") { Description = "A named value (Kubernetes-style key): KEY=PATH; repeatable; instead of FILE" };
        var name = new Argument<string>(noun);
        var file = new Argument<string?>("file") { Arity = ArgumentArity.ZeroOrOne, Description = "Content: a file, or - for STDIN" };
        cmd.Options.Add(label); cmd.Options.Add(fromFile); cmd.Arguments.Add(name); cmd.Arguments.Add(file);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var req = await RequestAsync(pr.GetValue(name)!, pr.GetValue(file), pr.GetValue(fromFile), pr.GetValue(label), ct);
            var id = await client.PostJsonAsync($"{Api(kind)}/create", req, ApiJson.Default.SecretCreateRequest, ApiJson.Default.IdResponse, ct);
            Console.WriteLine(id.Id);
            return 0;
        });
        return cmd;
    }

    static Command Update(SecretKind kind, string noun)
    {
        var cmd = new Command("update", $"Replace a {noun}'s value with a new version (containers get it at their next start; rotation by version)");
        var label = new Option<string[]>("--label", "-l") { Description = $"{noun} labels (replace the current ones)" };
        var fromFile = new Option<string[]>("--from-file") { Description = "A named value: KEY=PATH; repeatable; instead of FILE" };
        var version = new Option<long?>("--version") { Description = "Only update if the current version is this one" };
        var name = new Argument<string>(noun);
        var file = new Argument<string?>("file") { Arity = ArgumentArity.ZeroOrOne, Description = "Content: a file, or - for STDIN" };
        cmd.Options.Add(label); cmd.Options.Add(fromFile); cmd.Options.Add(version); cmd.Arguments.Add(name); cmd.Arguments.Add(file);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var target = pr.GetValue(name)!;
            var current = await client.GetJsonAsync($"{Api(kind)}/{Cli.Q(target)}", ApiJson.Default.SecretInspect, ct);
            var req = await RequestAsync(current.Spec.Name, pr.GetValue(file), pr.GetValue(fromFile), pr.GetValue(label), ct);
            var q = pr.GetValue(version) is { } v ? $"?version={v}" : "";
            var id = await client.PostJsonAsync($"{Api(kind)}/{Cli.Q(current.ID)}/update{q}", req, ApiJson.Default.SecretCreateRequest, ApiJson.Default.IdResponse, ct);
            Console.WriteLine(id.Id);
            return 0;
        });
        return cmd;
    }

    static async Task<SecretCreateRequest> RequestAsync(string name, string? file, string[]? fromFiles, string[]? labels, CancellationToken ct)
    {
        if (file is null && (fromFiles is null || fromFiles.Length == 0))
            throw new CliException("give the content: a file, - for STDIN, or --from-file KEY=PATH");
        if (file is not null && fromFiles is { Length: > 0 })
            throw new CliException("give either a file (or -) or --from-file, not both");
        var req = new SecretCreateRequest { Name = name, Labels = VolumeCommands.Pairs(labels) };
        if (file is not null) return req with { Data = await ReadAsync(file, ct) };
        var items = new Dictionary<string, byte[]>();
        foreach (var f in fromFiles!)
        {
            var eq = f.IndexOf('=');
            var (key, path) = eq < 0 ? (Path.GetFileName(f), f) : (f[..eq], f[(eq + 1)..]);
            items[key] = await ReadAsync(path, ct);
        }
        return req with { Items = items };
    }

    static async Task<byte[]> ReadAsync(string file, CancellationToken ct)
    {
        if (file == "-")
        {
            using var stdin = Console.OpenStandardInput();
            using var buffer = new MemoryStream();
            await stdin.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }
        try { return await File.ReadAllBytesAsync(file, ct); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliException($"open {file}: {e.Message}"); }
    }

    static Command List(SecretKind kind, string noun)
    {
        var cmd = new Command("ls", $"List {noun}s");
        cmd.Aliases.Add("list");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display IDs" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Filter output (name=, id=, label=)" };
        var format = new Option<string?>("--format") { Description = "Format output using a Go template" };
        foreach (var o in new Option[] { quiet, filter, format }) cmd.Options.Add(o);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var filters = ContainerCommands.FiltersJson(pr.GetValue(filter) ?? []);
            var list = await client.GetJsonAsync(Api(kind) + (filters is null ? "" : "?filters=" + Cli.Q(filters)), ApiJson.Default.ListSecretInspect, ct);
            if (pr.GetValue(quiet))
            {
                foreach (var s in list) Console.WriteLine(s.ID);
                return 0;
            }
            if (pr.GetValue(format) is { } f)
            {
                ContainerCommands.PrintFormatted(f, list.Select(s => new JsonObject
                {
                    ["ID"] = s.ID, ["Name"] = s.Spec.Name, ["Driver"] = "",
                    ["CreatedAt"] = Human.Ago(s.CreatedAt), ["UpdatedAt"] = Human.Ago(s.UpdatedAt),
                    ["Labels"] = string.Join(",", s.Spec.Labels.Select(kv => $"{kv.Key}={kv.Value}")),
                }));
                return 0;
            }
            var table = kind == SecretKind.Secret ? new Table("ID", "NAME", "DRIVER", "CREATED", "UPDATED") : new Table("ID", "NAME", "CREATED", "UPDATED");
            foreach (var s in list)
            {
                if (kind == SecretKind.Secret) table.Add(s.ID, s.Spec.Name, "", Human.Ago(s.CreatedAt), Human.Ago(s.UpdatedAt));
                else table.Add(s.ID, s.Spec.Name, Human.Ago(s.CreatedAt), Human.Ago(s.UpdatedAt));
            }
            Console.Write(table);
            return 0;
        });
        return cmd;
    }

    static Command Inspect(SecretKind kind, string noun)
    {
        var cmd = new Command("inspect", $"Display detailed information on one or more {noun}s" + (kind == SecretKind.Secret ? " (never the value)" : ""));
        var format = new Option<string?>("--format", "-f") { Description = "Format output using a Go template" };
        var pretty = new Option<bool>("--pretty") { Description = "Print the information in a human friendly format" };
        var names = new Argument<string[]>(noun) { Arity = ArgumentArity.OneOrMore };
        cmd.Options.Add(format); cmd.Options.Add(pretty); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            if (!pr.GetValue(pretty))
                return await ObjectInspect.RunAsync(client, noun, pr.GetValue(names)!, n => $"{Api(kind)}/{Cli.Q(n)}", pr.GetValue(format), ct);
            var failed = false;
            foreach (var n in pr.GetValue(names)!)
            {
                try
                {
                    var s = await client.GetJsonAsync($"{Api(kind)}/{Cli.Q(n)}", ApiJson.Default.SecretInspect, ct);
                    Console.WriteLine($"ID:              {s.ID}");
                    Console.WriteLine($"Name:            {s.Spec.Name}");
                    if (s.Spec.Labels.Count > 0)
                    {
                        Console.WriteLine("Labels:");
                        foreach (var (k, v) in s.Spec.Labels) Console.WriteLine($" - {k}={v}");
                    }
                    if (s.Spec.Keys is { } keys) Console.WriteLine($"Keys:            {string.Join(", ", keys)}");
                    Console.WriteLine($"Version:         {s.Version.Index}");
                    Console.WriteLine($"Created at:      {s.CreatedAt:yyyy-MM-dd HH:mm:ss.fffffff} +0000 utc");
                    Console.WriteLine($"Updated at:      {s.UpdatedAt:yyyy-MM-dd HH:mm:ss.fffffff} +0000 utc");
                    if (s.Spec.Data is { } data) Console.WriteLine($"Data:\n{System.Text.Encoding.UTF8.GetString(data)}");
                }
                catch (ApiException e) when (e.Status == 404)
                {
                    Console.Error.WriteLine($"gitops: Error: No such {noun}: {n}");
                    failed = true;
                }
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }

    static Command Remove(SecretKind kind, string noun)
    {
        var cmd = new Command("rm", $"Remove one or more {noun}s (refused while a container uses it)");
        cmd.Aliases.Add("remove");
        var names = new Argument<string[]>(noun) { Arity = ArgumentArity.OneOrMore };
        cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var failed = false;
            foreach (var n in pr.GetValue(names)!)
            {
                try
                {
                    await client.DeleteAsync($"{Api(kind)}/{Cli.Q(n)}", ct);
                    Console.WriteLine(n);
                }
                catch (ApiException e) { Console.Error.WriteLine($"gitops: Error response from daemon: {e.Message}"); failed = true; }
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }
}
