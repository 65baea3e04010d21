using System.CommandLine;
using System.Text.Json;
using GitOps.Cli.Client;
using GitOps.Cli.Output;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Reconcile.Outcomes;

namespace GitOps.Cli.Commands;

/// <summary>The GitOps verbs: app add/ls/rm, status, diff, sync, history, rollback, drift.</summary>
internal static class AppCommands
{
    public static IEnumerable<Command> All() => [App(), Status(), Diff(), Sync(), History(), Rollback(), Drift()];

    static Command App()
    {
        var group = new Command("app", "Manage the applications the daemon keeps converged");
        var add = new Command("add", "Add (or change) an application: a Git repository and paths the daemon keeps the fleet matching");
        var name = new Argument<string>("name");
        var repo = new Option<string>("--repo") { Description = "Git URL: local path, file://, https:// (token), ssh:// or user@host:path", Required = true };
        var branch = new Option<string?>("--branch") { Description = "Follow this branch (default: the remote's default branch)" };
        var tag = new Option<string?>("--tag") { Description = "Follow this tag" };
        var revision = new Option<string?>("--revision") { Description = "Pin this commit" };
        var path = new Option<string[]>("--path") { Description = "Path inside the repository (repeatable; default: the root)" };
        var interval = new Option<string>("--interval") { Description = "Poll interval", DefaultValueFactory = _ => "30s" };
        var cron = new Option<string?>("--cron") { Description = "Poll on a cron schedule (Quartz syntax) instead of an interval" };
        var project = new Option<string?>("--project") { Description = "Project name resources are named after (default: the app name)" };
        var prune = new Option<bool>("--prune") { Description = "Remove what left Git" };
        var pruneVolumes = new Option<bool>("--prune-volumes") { Description = "Also remove volumes (and their data) that left Git" };
        var selfHeal = new Option<bool>("--self-heal") { Description = "Undo drift as soon as it is seen" };
        var drift = new Option<string>("--drift") { Description = "report or heal", DefaultValueFactory = _ => "report" };
        var token = new Option<string?>("--token-file") { Description = "File with an https access token" };
        var sshKey = new Option<string?>("--ssh-key") { Description = "Private key file for ssh URLs" };
        var noWait = new Option<bool>("--no-wait") { Description = "Return at once instead of after the first sync" };
        var format = new Option<string>("--format")
        {
            Description = "How to read the manifests: auto (by content and file name), compose, stack or kubernetes", DefaultValueFactory = _ => "auto",
        };
        format.AcceptOnlyFromAmong("auto", "compose", "stack", "kubernetes");
        var securityPolicy = new Option<string?>("--policy") { Description = "What the manifests may ask of the node: restricted (default), baseline, privileged, or a policy named in the daemon's config" };
        add.Arguments.Add(name);
        foreach (var o in new Option[] { repo, branch, tag, revision, path, interval, cron, project, format, prune, pruneVolumes, selfHeal, drift, token, sshKey, noWait, securityPolicy }) add.Options.Add(o);
        Cli.Action(add, async (pr, ct) =>
        {
            var errors = new List<string>();
            if (!Daemon.Durations.TryParse(pr.GetValue(interval)!, out var every) || every <= TimeSpan.Zero) errors.Add($"--interval \"{pr.GetValue(interval)}\": expected a duration such as 30s or 1m");
            var driftMode = pr.GetValue(drift) switch { "report" => DriftMode.Report, "heal" => DriftMode.Heal, var d => (DriftMode?)null };
            if (driftMode is null) errors.Add($"--drift \"{pr.GetValue(drift)}\": expected report or heal");
            string? tokenValue = null;
            if (pr.GetValue(token) is { } tf)
            {
                if (File.Exists(tf)) tokenValue = File.ReadAllText(tf).Trim();
                else errors.Add($"--token-file {tf}: no such file");
            }
            if (errors.Count > 0) throw new FormatException(string.Join("\n", errors));
            var repoValue = pr.GetValue(repo)!;
            // A relative local path means the caller's directory, not the daemon's.
            if (!repoValue.Contains("://") && !repoValue.Contains('@') && (Directory.Exists(repoValue) || repoValue.StartsWith('.'))) repoValue = Path.GetFullPath(repoValue);
            var auth = tokenValue is not null || pr.GetValue(sshKey) is not null ? new SourceAuth(null, tokenValue, pr.GetValue(sshKey) is { } k ? Path.GetFullPath(k) : null, null) : null;
            var spec = new AppSpec(pr.GetValue(name)!, new AppSource(SourceKind.Git, repoValue, pr.GetValue(branch), pr.GetValue(tag), pr.GetValue(revision), auth),
                pr.GetValue(path) ?? [], new AppSchedule(every, AppSchedule.Default.Jitter, pr.GetValue(cron)),
                new AppPolicy(pr.GetValue(prune), pr.GetValue(pruneVolumes), pr.GetValue(selfHeal), driftMode!.Value), pr.GetValue(project),
                Reconciler.Configuration.AppSpecValidator.TryParseFormat(pr.GetValue(format)!, out var manifestFormat) && manifestFormat != Reconciler.Loading.ManifestFormat.Auto
                    ? new AppOverrides(manifestFormat, null) : null)
            { SecurityPolicy = pr.GetValue(securityPolicy) };
            using var client = Cli.Client(pr);
            var view = await client.PostJsonAsync($"apps?wait={(pr.GetValue(noWait) ? 0 : 1)}", spec, AppJson.Default.AppSpec, AppJson.Default.AppView, ct);
            PrintStatus([view.Status]);
            return view.Status.Sync == SyncState.Failed ? 1 : 0;
        });

        var ls = new Command("ls", "List applications");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only names" };
        ls.Options.Add(quiet);
        Cli.Action(ls, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var apps = await client.GetJsonAsync("apps", AppJson.Default.ListAppView, ct);
            if (pr.GetValue(quiet)) { foreach (var a in apps) Console.WriteLine(a.Spec.Name); return 0; }
            var t = new Table("NAME", "SOURCE", "PATHS", "FORMAT", "INTERVAL", "POLICY", "SECURITY", "ORIGIN");
            foreach (var a in apps)
                t.Add(a.Spec.Name, a.Status.Source, string.Join(",", a.Spec.Paths.DefaultIfEmpty(".")), (a.Spec.Overrides?.Format ?? Reconciler.Loading.ManifestFormat.Auto).ToString().ToLowerInvariant(),
                    a.Spec.Source.Kind == SourceKind.Local ? "-" : a.Spec.Schedule.Cron ?? Reconciler.Values.GoDuration.Format(a.Spec.Schedule.Interval), Policy(a.Spec.Policy),
                    a.Policy?.Name ?? a.Spec.SecurityPolicy ?? "?", a.Origin);
            Console.Write(t);
            return 0;
        });

        var rm = new Command("rm", "Stop managing applications (their containers keep running unless --remove-resources)");
        var rmNames = new Argument<string[]>("name") { Arity = ArgumentArity.OneOrMore };
        var resources = new Option<bool>("--remove-resources") { Description = "Also remove the containers, routers, networks, secrets and configs it created (volumes stay)" };
        var removeVolumes = new Option<bool>("--remove-volumes") { Description = "With --remove-resources: also remove its volumes and their data" };
        rm.Arguments.Add(rmNames); rm.Options.Add(resources); rm.Options.Add(removeVolumes);
        Cli.Action(rm, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            foreach (var n in pr.GetValue(rmNames)!)
            {
                if (pr.GetValue(removeVolumes) && !pr.GetValue(resources)) throw new CliException("--remove-volumes needs --remove-resources");
                await client.DeleteAsync($"apps/{Cli.Q(n)}?resources={(pr.GetValue(resources) ? 1 : 0)}&volumes={(pr.GetValue(removeVolumes) ? 1 : 0)}", ct);
                Console.WriteLine(n);
            }
            return 0;
        });
        var inspect = new Command("inspect", "An application as JSON: its spec, status, origin and the security policy it runs under");
        var inspectName = new Argument<string>("name");
        inspect.Arguments.Add(inspectName);
        Cli.Action(inspect, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var view = await client.GetJsonAsync($"apps/{Cli.Q(pr.GetValue(inspectName)!)}", AppJson.Default.AppView, ct);
            Console.WriteLine(JsonSerializer.Serialize(view, AppJson.Default.AppView));
            return 0;
        });
        foreach (var c in new[] { add, ls, rm, inspect }) group.Subcommands.Add(c);
        return group;
    }

    static string Policy(AppPolicy p) =>
        string.Join(",", new[] { p.Prune ? "prune" : null, p.PruneVolumes ? "prune-volumes" : null, p.Heals ? "self-heal" : "drift-report" }.OfType<string>());

    static Command Status()
    {
        var cmd = new Command("status", "Applications: revision, sync state, health, drift");
        var output = new Option<string?>("--output", "-o") { Description = "json" };
        var names = new Argument<string[]>("app") { Arity = ArgumentArity.ZeroOrMore };
        cmd.Options.Add(output); cmd.Arguments.Add(names);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var apps = await client.GetJsonAsync("apps", AppJson.Default.ListAppView, ct);
            var wanted = pr.GetValue(names) ?? [];
            var statuses = apps.Where(a => wanted.Length == 0 || wanted.Contains(a.Spec.Name)).Select(a => a.Status).ToList();
            if (pr.GetValue(output) == "json") { Console.WriteLine(JsonSerializer.Serialize(statuses, AppJson.Default.ListAppStatus)); return 0; }
            PrintStatus(statuses);
            return 0;
        });
        return cmd;
    }

    static void PrintStatus(IReadOnlyList<AppStatus> statuses)
    {
        var t = new Table("APP", "REVISION", "SYNC", "HEALTH", "DRIFT", "LAST SYNC", "MESSAGE");
        foreach (var s in statuses)
        {
            var rev = s.Revision is null ? "-" : Short(s.Revision) + (s.PinnedRevision is not null ? " (pinned by rollback)" : "");
            var msg = s.Errors.Count > 0 ? s.Message + ": " + s.Errors[0] + (s.Errors.Count > 1 ? $" (+{s.Errors.Count - 1} more)" : "") : s.Message ?? "";
            if (s.HealthReason is { Length: > 0 } why) msg = msg.Length == 0 ? why : msg + "; " + why;
            if (Retry(s) is { } retry) msg = msg.Length == 0 ? retry : msg + "; " + retry;
            t.Add(s.Name, rev, s.Sync.ToString(), s.Health.ToString(), s.DriftCount.ToString(), s.LastSync is { } l ? Human.Ago(l) : "never", msg);
        }
        Console.Write(t);
        foreach (var s in statuses.Where(s => s.Errors.Count > 1))
        {
            Console.WriteLine($"\n{s.Name}: revision {Short(s.LatestRevision ?? "")} rejected:");
            foreach (var e in s.Errors) Console.WriteLine("  " + e);
        }
    }

    static string Short(string rev) => rev.Length == 40 ? rev[..7] : rev;

    /// <summary>What a transient failure or a wait on health does next, in the MESSAGE column (the JSON has the fields).</summary>
    static string? Retry(AppStatus s) => (s.Outcome, s.NextAttempt) switch
    {
        (ReconcileOutcome.Transient, { } at) => $"transient (attempt {s.Attempts}): next attempt {Until(at)}",
        (ReconcileOutcome.Waiting, { } at) => $"waiting on health: next look {Until(at)}",
        (ReconcileOutcome.Stalled, _) when s.Sync == SyncState.Failed => "stalled: waits for a new commit or gitops sync",
        _ => null,
    };

    static string Until(DateTimeOffset at) =>
        $"at {at.ToLocalTime():HH:mm:ss}" + (at > DateTimeOffset.UtcNow ? $" (in {Math.Ceiling((at - DateTimeOffset.UtcNow).TotalSeconds):0} s)" : " (due)");

    static Command Diff()
    {
        var cmd = new Command("diff", "Dry run: what a sync would change (exit code 1 when there are changes)");
        var app = new Argument<string>("app");
        var revision = new Option<string?>("--revision") { Description = "Compare with this revision instead of the latest" };
        var noColor = new Option<bool>("--no-color") { Description = "Plain text even on a terminal" };
        cmd.Arguments.Add(app); cmd.Options.Add(revision); cmd.Options.Add(noColor);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var rev = pr.GetValue(revision);
            var d = await client.GetJsonAsync($"apps/{Cli.Q(pr.GetValue(app)!)}/diff{(rev is null ? "" : "?revision=" + Uri.EscapeDataString(rev))}", AppJson.Default.DiffResponse, ct);
            if (d.Errors.Count > 0)
            {
                Console.Error.WriteLine($"revision {Short(d.Revision)} is invalid:");
                foreach (var e in d.Errors) Console.Error.WriteLine("  " + e);
                return 2;
            }
            var color = !pr.GetValue(noColor) && !Console.IsOutputRedirected;
            foreach (var line in d.Diff.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var c = !color ? null : line.StartsWith("+++") || line.StartsWith("---") ? "\x1b[1m" : line[0] == '+' ? "\x1b[32m" : line[0] == '-' ? "\x1b[31m" : line[0] == '@' ? "\x1b[36m" : null;
                Console.WriteLine(c is null ? line : c + line + "\x1b[0m");
            }
            if (d.Plan.Count == 0) { Console.WriteLine($"revision {Short(d.Revision)}: in sync, nothing to do"); return 0; }
            Console.WriteLine($"\nplan for revision {Short(d.Revision)} ({d.Plan.Count} step(s)):");
            for (var i = 0; i < d.Plan.Count; i++) Console.WriteLine($"  {i + 1}. {d.Plan[i]}");
            foreach (var w in d.DataLoss) Console.WriteLine($"  data loss: {w}");
            foreach (var w in d.Warnings) Console.WriteLine($"  warning: {w}");
            return 1;
        });
        return cmd;
    }

    static Command Sync()
    {
        var cmd = new Command("sync", "Fetch and apply an application now (and heal drift)");
        var app = new Argument<string>("app");
        var revision = new Option<string?>("--revision") { Description = "Apply this revision (commit, branch or tag) once" };
        cmd.Arguments.Add(app); cmd.Options.Add(revision);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var rev = pr.GetValue(revision);
            var view = await client.PostAsync($"apps/{Cli.Q(pr.GetValue(app)!)}/sync{(rev is null ? "" : "?revision=" + Uri.EscapeDataString(rev))}", AppJson.Default.AppView, ct);
            PrintStatus([view.Status]);
            return view.Status.Sync == SyncState.Failed ? 1 : 0;
        });
        return cmd;
    }

    static Command History()
    {
        var cmd = new Command("history", "Revisions applied to an application, newest first");
        var app = new Argument<string>("app");
        cmd.Arguments.Add(app);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var list = await client.GetJsonAsync($"apps/{Cli.Q(pr.GetValue(app)!)}/history", AppJson.Default.ListHistoryEntry, ct);
            var t = new Table("ID", "REVISION", "APPLIED", "TRIGGER", "STEPS", "RESULT", "SUBJECT");
            foreach (var h in list) t.Add(h.Id.ToString(), Short(h.Revision), Human.Ago(h.AppliedAt), h.Trigger, h.Steps.ToString(), h.Result, h.Subject ?? "");
            Console.Write(t);
            return 0;
        });
        return cmd;
    }

    static Command Rollback()
    {
        var cmd = new Command("rollback", "Go back to an earlier revision (the previous applied one by default); pinned until a newer commit arrives");
        var app = new Argument<string>("app");
        var rev = new Argument<string?>("revision") { Arity = ArgumentArity.ZeroOrOne };
        cmd.Arguments.Add(app); cmd.Arguments.Add(rev);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var r = pr.GetValue(rev);
            var view = await client.PostAsync($"apps/{Cli.Q(pr.GetValue(app)!)}/rollback{(r is null ? "" : "?revision=" + Uri.EscapeDataString(r))}", AppJson.Default.AppView, ct);
            PrintStatus([view.Status]);
            if (view.Status.PinnedRevision is { } p) Console.WriteLine($"{view.Spec.Name} is pinned to {Short(p)} until a newer commit arrives");
            return view.Status.Sync == SyncState.Failed ? 1 : 0;
        });
        return cmd;
    }

    static Command Drift()
    {
        var cmd = new Command("drift", "Differences between the last applied state and what runs");
        var app = new Argument<string?>("app") { Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--output", "-o") { Description = "json" };
        cmd.Arguments.Add(app); cmd.Options.Add(output);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var reports = await client.GetJsonAsync("drift", AppJson.Default.ListDriftReport, ct);
            var name = pr.GetValue(app);
            if (name is not null)
            {
                reports = reports.Where(r => r.App == name).ToList();
                if (reports.Count == 0) throw new CliException($"No such application: {name}");
            }
            if (pr.GetValue(output) == "json") { Console.WriteLine(JsonSerializer.Serialize(reports, AppJson.Default.ListDriftReport)); return 0; }
            var t = new Table("APP", "KIND", "RESOURCE", "EXPECTED", "FOUND", "SINCE", "MODE");
            foreach (var r in reports)
                foreach (var i in r.Items) t.Add(r.App, i.Kind, i.Resource, i.Expected, i.Found, Human.Ago(i.Since), r.Mode);
            if (t.Count == 0) Console.WriteLine("no drift");
            else Console.Write(t);
            return 0;
        });
        return cmd;
    }
}
