using System.CommandLine;
using GitOps.Cli.Commands;
using GitOps.Runtime.Init;

namespace GitOps.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // The container-init helper is this binary too; it must do nothing else before its work.
        if (args.Length > 0 && args[0] == ContainerInit.Command) return ContainerInit.Main();

        var root = new RootCommand("gitops: GitOps for Linux servers, with its own container engine");
        root.Options.Add(Commands.Cli.Socket);
        root.Subcommands.Add(SystemCommands.Daemon());
        root.Subcommands.Add(SystemCommands.Version());
        root.Subcommands.Add(SystemCommands.Info());
        root.Subcommands.Add(SystemCommands.Events());
        root.Subcommands.Add(SystemCommands.Inspect());
        root.Subcommands.Add(ContainerCommands.Group());
        root.Subcommands.Add(ImageCommands.Group());
        root.Subcommands.Add(NetworkCommands.Group());
        root.Subcommands.Add(NetworkCommands.Router());
        root.Subcommands.Add(ManifestCommands.Validate());
        root.Subcommands.Add(ManifestCommands.Render());
        foreach (var verb in AppCommands.All()) root.Subcommands.Add(verb);
        foreach (var verb in ProjectCommands.All()) root.Subcommands.Add(verb);
        root.Subcommands.Add(VolumeCommands.Group());
        root.Subcommands.Add(SecretCommands.Group(Runtime.Secrets.SecretKind.Secret));
        root.Subcommands.Add(SecretCommands.Group(Runtime.Secrets.SecretKind.Config));
        root.Subcommands.Add(HousekeepingCommands.SystemGroup());
        // Docker's short forms: gitops run, ps, exec, logs, ...
        foreach (var verb in ContainerCommands.Verbs().Where(v => v.Name is not ("inspect" or "diff")))
            root.Subcommands.Add(verb);
        foreach (var verb in ImageCommands.ShortForms()) root.Subcommands.Add(verb);
        root.Subcommands.Add(RegistryCommands.Login());
        root.Subcommands.Add(RegistryCommands.Logout());
        root.Subcommands.Add(ClusterCommands.Group());
        root.Subcommands.Add(NodeCommands.Group());

        args = Commands.Cli.PassThroughAfterFirstPositional(args, ContainerCommands.PassThroughVerbs, ContainerCommands.ValueOptions());
        return root.Parse(args).Invoke();
    }
}
