using GitOps.Cli.Client;

namespace GitOps.Cli.Commands;

/// <summary>
/// The prune verbs' "Are you sure?" (one for all of them): --force skips it. The question is always
/// shown, so a reader sees what would go; a prune that cannot ask (stdin is a pipe or a file) does
/// not guess from whatever the pipe holds: it refuses and says to use --force.
/// </summary>
internal static class Confirm
{
    public static bool Ask(string warning, bool force)
    {
        if (force) return true;
        Console.Write($"{warning}\nAre you sure you want to continue? [y/N] ");
        if (Console.IsInputRedirected)
        {
            Console.WriteLine();
            throw new CliException("refusing to prune without confirmation: standard input is not a terminal; use --force (-f) to prune without a prompt");
        }
        return Console.ReadLine()?.Trim().ToLowerInvariant() is "y" or "yes";
    }
}
