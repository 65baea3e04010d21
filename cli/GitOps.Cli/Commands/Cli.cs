using System.CommandLine;
using GitOps.Cli.Client;
using GitOps.Cli.Daemon;

namespace GitOps.Cli.Commands;

/// <summary>Shared plumbing of every verb: the socket, the client, and errors turned into one line and an exit code.</summary>
internal static class Cli
{
    public static readonly Option<string?> Socket = new("--socket")
    {
        Description = "Daemon socket to connect to (or $GITOPS_SOCKET)",
        Recursive = true,
    };

    public static string SocketPath(ParseResult pr) =>
        pr.GetValue(Socket) is { Length: > 0 } s ? s :
        Environment.GetEnvironmentVariable("GITOPS_SOCKET") is { Length: > 0 } env ? env : DaemonHost.DefaultSocket;

    public static DaemonClient Client(ParseResult pr) => new(SocketPath(pr));

    /// <summary>Runs a verb: known failures print one line to stderr; daemon errors exit 1 (run/create: 125, as Docker).</summary>
    public static void Action(Command command, Func<ParseResult, CancellationToken, Task<int>> action, int daemonErrorCode = 1)
    {
        command.SetAction(async (pr, ct) =>
        {
            try { return await action(pr, ct).ConfigureAwait(false); }
            catch (CliException e) { Console.Error.WriteLine($"gitops: {e.Message}"); return e.ExitCode; }
            catch (ApiException e)
            {
                Console.Error.WriteLine($"gitops: Error response from daemon: {e.Message}");
                return e.ExitCode ?? daemonErrorCode;
            }
            catch (FormatException e) { Console.Error.WriteLine($"gitops: {e.Message}"); return daemonErrorCode == 1 ? 1 : 125; }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return 130; }
        });
    }

    public static string Q(string s) => Uri.EscapeDataString(s);

    /// <summary>
    /// docker run IMAGE ARGS... passes everything after the image to the container, even what looks
    /// like an option ("run bb ls -la"). System.CommandLine has no such mode, so a "--" is put after
    /// the first positional argument of the verbs that need it.
    /// </summary>
    public static string[] PassThroughAfterFirstPositional(string[] args, IReadOnlySet<string> verbs, IReadOnlySet<string> valueOptions)
    {
        var verbAt = -1;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--") return args;
            if (args[i] == "--socket") { i++; continue; }
            if (args[i].StartsWith('-')) continue;
            if (verbs.Contains(args[i])) { verbAt = i; break; }
            if (args[i] is not ("container")) return args; // another verb
        }
        if (verbAt < 0) return args;
        for (var i = verbAt + 1; i < args.Length; i++)
        {
            var a = args[i];
            if (a == "--") return args;
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (!a.Contains('=') && valueOptions.Contains(a)) i++;
                continue;
            }
            if (a.StartsWith('-') && a.Length > 1)
            {
                // A bundle such as -dit or -e=X / -eX: the first value-taking letter consumes the rest or the next word.
                for (var j = 1; j < a.Length; j++)
                {
                    if (!valueOptions.Contains("-" + a[j])) continue;
                    if (j == a.Length - 1) i++;
                    break;
                }
                continue;
            }
            // The first positional: everything after it belongs to the container.
            if (i + 1 >= args.Length) return args;
            return [.. args[..(i + 1)], "--", .. args[(i + 1)..]];
        }
        return args;
    }
}
