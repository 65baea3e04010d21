using System.CommandLine;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Output;
using GitOps.Runtime.Images;

namespace GitOps.Cli.Commands;

/// <summary>docker pull, push, login and logout.</summary>
internal static class RegistryCommands
{
    public static Command Pull()
    {
        var cmd = new Command("pull", "Download an image from a registry");
        var platform = new Option<string?>("--platform") { Description = "Set platform if server is multi-platform capable (os/arch[/variant])" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress verbose output" };
        var all = new Option<bool>("--all-tags", "-a") { Description = "Not supported: name each tag" };
        var name = new Argument<string>("name") { Description = "NAME[:TAG|@DIGEST]" };
        cmd.Options.Add(platform); cmd.Options.Add(quiet); cmd.Options.Add(all); cmd.Arguments.Add(name);
        Cli.Action(cmd, async (pr, ct) =>
        {
            if (pr.GetValue(all)) throw new CliException("--all-tags is not supported: pull each tag by name");
            using var client = Cli.Client(pr);
            var reference = ImageReference.Parse(pr.GetValue(name)!);
            if (!pr.GetValue(name)!.Contains(':') && reference.Digest is null && !pr.GetValue(quiet))
                Console.WriteLine("Using default tag: latest");
            await PullAsync(client, reference, pr.GetValue(platform), Console.Out, pr.GetValue(quiet), ct);
            Console.WriteLine(reference.ToString());
            return 0;
        });
        return cmd;
    }

    /// <summary>Pulls through the daemon, showing progress on <paramref name="output"/>; returns the image ID.</summary>
    public static async Task<string?> PullAsync(DaemonClient client, ImageReference reference, string? platform, TextWriter output, bool quiet, CancellationToken ct)
    {
        var q = $"images/create?fromImage={Cli.Q(reference.Repository)}&tag={Cli.Q(reference.Digest ?? reference.Tag ?? "latest")}";
        if (platform is not null) q += "&platform=" + Cli.Q(platform);
        using var response = await client.SendAsync(HttpMethod.Post, q, completion: HttpCompletionOption.ResponseHeadersRead, ct: ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        return await ProgressPrinter.PrintAsync(stream, output, quiet, ct);
    }

    public static Command Login()
    {
        var cmd = new Command("login", "Log in to a registry (the daemon keeps the credentials, root-only)");
        var user = new Option<string?>("--username", "-u") { Description = "Username" };
        var pass = new Option<string?>("--password", "-p") { Description = "Password" };
        var stdin = new Option<bool>("--password-stdin") { Description = "Take the password from stdin" };
        var server = new Argument<string?>("server") { Arity = ArgumentArity.ZeroOrOne, Description = "Registry (default docker.io)" };
        cmd.Options.Add(user); cmd.Options.Add(pass); cmd.Options.Add(stdin); cmd.Arguments.Add(server);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var username = pr.GetValue(user);
            var password = pr.GetValue(pass);
            if (pr.GetValue(stdin))
            {
                if (password is not null) throw new CliException("--password and --password-stdin are mutually exclusive");
                if (username is null) throw new CliException("Must provide --username with --password-stdin");
                password = (await Console.In.ReadToEndAsync(ct)).TrimEnd('\n', '\r');
            }
            else if (password is not null)
                Console.Error.WriteLine("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
            if (username is null)
            {
                if (Console.IsInputRedirected) throw new CliException("Cannot perform an interactive login from a non TTY device");
                Console.Write("Username: ");
                username = Console.ReadLine() ?? "";
            }
            if (password is null)
            {
                if (Console.IsInputRedirected) throw new CliException("Cannot perform an interactive login from a non TTY device");
                Console.Write("Password: ");
                password = ReadHidden();
            }
            if (username.Length == 0) throw new CliException("Username is required");
            using var client = Cli.Client(pr);
            var body = new AuthRequest { Username = username, Password = password, ServerAddress = pr.GetValue(server) ?? ImageReference.DefaultDomain };
            var result = await client.PostJsonAsync("auth", body, ApiJson.Default.AuthRequest, ApiJson.Default.AuthResponse, ct);
            Console.WriteLine(result.Status);
            return 0;
        });
        return cmd;
    }

    static string ReadHidden()
    {
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (sb.Length > 0) sb.Length--; continue; }
            sb.Append(key.KeyChar);
        }
        Console.WriteLine();
        return sb.ToString();
    }

    public static Command Logout()
    {
        var cmd = new Command("logout", "Log out from a registry");
        var server = new Argument<string?>("server") { Arity = ArgumentArity.ZeroOrOne };
        cmd.Arguments.Add(server);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var registry = pr.GetValue(server) ?? ImageReference.DefaultDomain;
            using var client = Cli.Client(pr);
            Console.WriteLine($"Removing login credentials for {registry}");
            try { await client.DeleteAsync($"auth/{Cli.Q(registry)}", ct); }
            catch (ApiException e) when (e.Status == 404) { Console.WriteLine($"Not logged in to {registry}"); }
            return 0;
        });
        return cmd;
    }
}
