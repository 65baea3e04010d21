using System.CommandLine;
using System.Text;
using GitOps.Cli.Api;
using GitOps.Cli.Client;
using GitOps.Cli.Daemon;
using GitOps.Cli.Output;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Reconcile.Outcomes;
using GitOps.Reconciler.Reconcile.Jobs;

namespace GitOps.Cli.Commands;

/// <summary>
/// Compose, Swarm and kubectl habits on the reconciler: each of <c>compose up</c>, <c>stack deploy</c> and
/// <c>apply -f</c> declares an application whose source is local files, and syncs it — the same plan,
/// apply, drift and history as a Git-backed application, without a repository.
/// </summary>
internal static class ProjectCommands
{
    public static IEnumerable<Command> All() => [Compose(), Stack(), Apply(), Delete(), Get()];

    static readonly string[] ComposeNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

    /// <summary>Loads the files here first: mistakes are reported with file:line before the daemon is asked anything.</summary>
    static string ProjectName(IReadOnlyList<string> files, string? explicitName, ManifestFormat format)
    {
        var result = ManifestLoader.Load(files, new LoadOptions { Name = explicitName, Format = format });
        var errors = result.Diagnostics.Where(d => d.Severity == Reconciler.Diagnostics.Severity.Error).ToList();
        if (errors.Count > 0 || result.Application is null)
            throw new CliException(string.Join("\n", errors.Select(e => e.ToString())).TrimEnd() is { Length: > 0 } text ? text : "the manifests could not be loaded");
        return explicitName ?? result.Application.Name;
    }

    /// <summary>--policy: local files get Docker's permissive behaviour (privileged) unless the operator names a policy.</summary>
    static Option<string?> PolicyOption() => new("--policy") { Description = "Judge the files by this policy (restricted, baseline, or one named in the daemon's config); default privileged, as Docker" };

    static AppSpec LocalApp(string name, IReadOnlyList<string> files, ManifestFormat format, IReadOnlyDictionary<string, int>? scale, bool prune, string? policy)
    {
        var full = files.Select(Path.GetFullPath).ToList();
        var dir = File.Exists(full[0]) ? Path.GetDirectoryName(full[0])! : full[0];
        return new AppSpec(name, new AppSource(SourceKind.Local, dir, null, null, null, null), full.Select(f => Path.GetRelativePath(dir, f)).ToList(),
            AppSchedule.Default, AppPolicy.Default with { Prune = prune }, name, new AppOverrides(format, scale)) { SecurityPolicy = policy };
    }

    static async Task<int> UpAsync(ParseResult pr, DaemonClient client, AppSpec spec, string origin, CancellationToken ct)
    {
        var view = await client.PostJsonAsync($"apps?origin={origin}", spec, AppJson.Default.AppSpec, AppJson.Default.AppView, ct);
        var s = view.Status;
        if (s.Sync == SyncState.Failed)
        {
            Console.Error.WriteLine($"gitops: {s.Message}");
            foreach (var e in s.Errors) Console.Error.WriteLine("  " + e);
            return 1;
        }
        if (s.Message is { Length: > 0 } m) Console.WriteLine(m);
        return 0;
    }

    // ---- compose ------------------------------------------------------------------------------

    static Command Compose()
    {
        var group = new Command("compose", "Docker Compose on the gitops engine: up, down, ps, logs");
        var files = new Option<string[]>("--file", "-f") { Description = "Compose file (repeatable; later files override earlier ones)", Recursive = true };
        var project = new Option<string?>("--project-name", "-p") { Description = "Project name (default: the file's name: or the directory name)", Recursive = true };
        group.Options.Add(files); group.Options.Add(project);

        (List<string> Files, string Name) Resolve(ParseResult pr)
        {
            var list = (pr.GetValue(files) ?? []).ToList();
            if (list.Count == 0)
                list.Add(ComposeNames.FirstOrDefault(File.Exists) ?? throw new CliException("no configuration file provided: not found (compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml)"));
            foreach (var f in list.Where(f => !File.Exists(f))) throw new CliException($"open {f}: no such file or directory");
            var name = pr.GetValue(project) ?? ProjectName(list, null, ManifestFormat.Compose);
            return (list, name);
        }

        var up = new Command("up", "Create and start the project's services (always detached: gitops keeps them converged)");
        var detach = new Option<bool>("--detach", "-d") { Description = "Accepted for compatibility: services always run in the background" };
        var scale = new Option<string[]>("--scale") { Description = "SERVICE=NUM replicas (repeatable)" };
        var orphans = new Option<bool>("--remove-orphans") { Description = "Remove containers of services no longer in the files" };
        var upPolicy = PolicyOption();
        up.Options.Add(detach); up.Options.Add(scale); up.Options.Add(orphans); up.Options.Add(upPolicy);
        Cli.Action(up, async (pr, ct) =>
        {
            var (list, name) = Resolve(pr);
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var s in pr.GetValue(scale) ?? [])
            {
                var eq = s.IndexOf('=');
                if (eq <= 0 || !int.TryParse(s[(eq + 1)..], out var n) || n < 0) throw new FormatException($"invalid --scale \"{s}\": expected SERVICE=NUM");
                counts[s[..eq]] = n;
            }
            ProjectName(list, name, ManifestFormat.Compose);
            using var client = Cli.Client(pr);
            var code = await UpAsync(pr, client, LocalApp(name, list, ManifestFormat.Compose, counts, pr.GetValue(orphans), pr.GetValue(upPolicy)), "compose", ct);
            if (code == 0) await PrintContainersAsync(client, name, ct);
            return code;
        });

        var down = new Command("down", "Stop and remove the project's containers, routers and networks");
        var volumes = new Option<bool>("--volumes", "-v") { Description = "Also remove named volumes" };
        down.Options.Add(volumes);
        Cli.Action(down, async (pr, ct) =>
        {
            var name = pr.GetValue(project) ?? Resolve(pr).Name;
            using var client = Cli.Client(pr);
            await client.DeleteAsync($"apps/{Cli.Q(name)}?resources=1&volumes={(pr.GetValue(volumes) ? 1 : 0)}", ct);
            Console.WriteLine($"project {name} removed");
            return 0;
        });

        var ps = new Command("ps", "List the project's containers");
        Cli.Action(ps, async (pr, ct) =>
        {
            var name = pr.GetValue(project) ?? Resolve(pr).Name;
            using var client = Cli.Client(pr);
            await PrintContainersAsync(client, name, ct);
            return 0;
        });

        var logs = new Command("logs", "Show the logs of the project's containers, prefixed by container name");
        var tail = new Option<string>("--tail", "-n") { Description = "Lines from the end of each log", DefaultValueFactory = _ => "all" };
        var svcs = new Argument<string[]>("service") { Arity = ArgumentArity.ZeroOrMore };
        logs.Options.Add(tail); logs.Arguments.Add(svcs);
        Cli.Action(logs, async (pr, ct) =>
        {
            var name = pr.GetValue(project) ?? Resolve(pr).Name;
            using var client = Cli.Client(pr);
            var wanted = pr.GetValue(svcs) ?? [];
            var containers = (await ContainersAsync(client, name, ct)).Where(c => wanted.Length == 0 || wanted.Contains(c.Labels.GetValueOrDefault(ManagedLabels.Service))).ToList();
            var width = containers.Select(c => c.Names[0].TrimStart('/').Length).DefaultIfEmpty(0).Max();
            foreach (var c in containers)
            {
                var cname = c.Names[0].TrimStart('/');
                await using var stream = await client.GetStreamAsync($"containers/{c.Id}/logs?follow=0&tail={Cli.Q(pr.GetValue(tail)!)}", ct);
                var text = new StringBuilder();
                while (await StreamFrame.ReadAsync(stream, ct) is { } frame) text.Append(Encoding.UTF8.GetString(frame.Payload));
                foreach (var line in text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)) Console.WriteLine($"{cname.PadRight(width)} | {line}");
            }
            return 0;
        });
        foreach (var c in new[] { up, down, ps, logs }) group.Subcommands.Add(c);
        return group;
    }

    static async Task<List<ContainerSummary>> ContainersAsync(DaemonClient client, string project, CancellationToken ct)
    {
        var filters = $"{{\"label\":[\"{ManagedLabels.ComposeProject}={project}\"]}}";
        var list = await client.GetJsonAsync($"containers/json?all=1&filters={Cli.Q(filters)}", ApiJson.Default.ListContainerSummary, ct);
        return list.OrderBy(c => c.Names[0], StringComparer.Ordinal).ToList();
    }

    static async Task PrintContainersAsync(DaemonClient client, string project, CancellationToken ct)
    {
        var t = new Table("NAME", "IMAGE", "SERVICE", "STATUS", "PORTS");
        foreach (var c in await ContainersAsync(client, project, ct))
            t.Add(c.Names[0].TrimStart('/'), c.Image, c.Labels.GetValueOrDefault(ManagedLabels.Service) ?? "", c.Status,
                string.Join(", ", c.Ports.Where(p => p.PublicPort is not null).Select(p => $"{p.IP ?? "0.0.0.0"}:{p.PublicPort}->{p.PrivatePort}/{p.Type}")));
        Console.Write(t);
    }

    // ---- stack --------------------------------------------------------------------------------

    static Command Stack()
    {
        var group = new Command("stack", "Docker Swarm stacks on the gitops engine: deploy, ls, ps, rm");
        var deploy = new Command("deploy", "Deploy a new stack or update an existing one");
        var file = new Option<string[]>("--compose-file", "-c") { Description = "Stack file (repeatable)", Required = true };
        var prune = new Option<bool>("--prune") { Description = "Prune services that are no longer referenced" };
        var name = new Argument<string>("stack");
        var deployPolicy = PolicyOption();
        deploy.Options.Add(file); deploy.Options.Add(prune); deploy.Options.Add(deployPolicy); deploy.Arguments.Add(name);
        Cli.Action(deploy, async (pr, ct) =>
        {
            var files = pr.GetValue(file)!.ToList();
            foreach (var f in files.Where(f => !File.Exists(f))) throw new CliException($"open {f}: no such file or directory");
            var stack = pr.GetValue(name)!;
            ProjectName(files, stack, ManifestFormat.Stack);
            using var client = Cli.Client(pr);
            var code = await UpAsync(pr, client, LocalApp(stack, files, ManifestFormat.Stack, null, pr.GetValue(prune), pr.GetValue(deployPolicy)), "stack", ct);
            if (code == 0) Console.WriteLine($"stack {stack} deployed");
            return code;
        });

        var ls = new Command("ls", "List stacks");
        Cli.Action(ls, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var apps = (await client.GetJsonAsync("apps", AppJson.Default.ListAppView, ct)).Where(a => a.Origin == "stack").ToList();
            var t = new Table("NAME", "SERVICES", "SYNC");
            foreach (var a in apps)
            {
                var services = (await ContainersAsync(client, a.Spec.ProjectName, ct)).Select(c => c.Labels.GetValueOrDefault(ManagedLabels.Service)).Distinct().Count();
                t.Add(a.Spec.Name, services.ToString(), a.Status.Sync.ToString());
            }
            Console.Write(t);
            return 0;
        });

        var ps = new Command("ps", "List the tasks (containers) of a stack");
        var psName = new Argument<string>("stack");
        ps.Arguments.Add(psName);
        Cli.Action(ps, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var t = new Table("ID", "NAME", "IMAGE", "NODE", "CURRENT STATE");
            foreach (var c in await ContainersAsync(client, pr.GetValue(psName)!, ct))
                t.Add(c.Id[..12], c.Names[0].TrimStart('/'), c.Image, Environment.MachineName, c.Status);
            Console.Write(t);
            return 0;
        });

        var rm = new Command("rm", "Remove stacks");
        var rmNames = new Argument<string[]>("stack") { Arity = ArgumentArity.OneOrMore };
        rm.Arguments.Add(rmNames);
        Cli.Action(rm, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            foreach (var n in pr.GetValue(rmNames)!)
            {
                Console.WriteLine($"Removing stack {n}");
                await client.DeleteAsync($"apps/{Cli.Q(n)}?resources=1", ct);
            }
            return 0;
        });
        foreach (var c in new[] { deploy, ls, ps, rm }) group.Subcommands.Add(c);
        return group;
    }

    // ---- kubectl habits -----------------------------------------------------------------------

    static string AppNameFor(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        var baseName = File.Exists(full) ? Path.GetFileNameWithoutExtension(full) : Path.GetFileName(full);
        var clean = new string(baseName.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' ? ch : '-').ToArray()).Trim('-', '_');
        return clean.Length > 0 ? clean : "default";
    }

    static Command Apply()
    {
        var cmd = new Command("apply", "Apply Kubernetes-style manifests (a file or directory) as an application");
        var file = new Option<string>("--filename", "-f") { Description = "File or directory", Required = true };
        var app = new Option<string?>("--app") { Description = "Application name (default: the file or directory name)" };
        var prune = new Option<bool>("--prune") { Description = "Remove resources of this application that are no longer in the files" };
        var applyPolicy = PolicyOption();
        cmd.Options.Add(file); cmd.Options.Add(app); cmd.Options.Add(prune); cmd.Options.Add(applyPolicy);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var path = pr.GetValue(file)!;
            if (!File.Exists(path) && !Directory.Exists(path)) throw new CliException($"the path \"{path}\" does not exist");
            var name = pr.GetValue(app) ?? AppNameFor(path);
            ProjectName([path], name, ManifestFormat.Auto);
            using var client = Cli.Client(pr);
            var before = await client.GetJsonAsync("apps", AppJson.Default.ListAppView, ct);
            var code = await UpAsync(pr, client, LocalApp(name, [path], ManifestFormat.Auto, null, pr.GetValue(prune), pr.GetValue(applyPolicy)), "apply", ct);
            if (code == 0) Console.WriteLine($"application/{name} {(before.Any(a => a.Spec.Name == name) ? "configured" : "created")}");
            return code;
        });
        return cmd;
    }

    static Command Delete()
    {
        var cmd = new Command("delete", "Delete what apply -f created from these manifests");
        var file = new Option<string>("--filename", "-f") { Description = "File or directory", Required = true };
        var app = new Option<string?>("--app") { Description = "Application name (default: the file or directory name)" };
        cmd.Options.Add(file); cmd.Options.Add(app);
        Cli.Action(cmd, async (pr, ct) =>
        {
            var name = pr.GetValue(app) ?? AppNameFor(pr.GetValue(file)!);
            using var client = Cli.Client(pr);
            await client.DeleteAsync($"apps/{Cli.Q(name)}?resources=1", ct);
            Console.WriteLine($"application/{name} deleted");
            return 0;
        });
        return cmd;
    }

    static string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    static Command Get()
    {
        var cmd = new Command("get", "kubectl-like tables: deployments, daemonsets, jobs, cronjobs, pods, services, secrets, configmaps, pvc");
        var kind = new Argument<string>("kind") { Description = "deployments|daemonsets|jobs|cronjobs|pods|services|secrets|configmaps|pvc" };
        cmd.Arguments.Add(kind);
        Cli.Action(cmd, async (pr, ct) =>
        {
            using var client = Cli.Client(pr);
            var filters = $"{{\"label\":[\"{ManagedLabels.App}\"]}}";
            var containers = await client.GetJsonAsync($"containers/json?all=1&filters={Cli.Q(filters)}", ApiJson.Default.ListContainerSummary, ct);
            var mains = containers.Where(c => !c.Labels.ContainsKey(ManagedLabels.Part)).ToList();
            string Since(DateTimeOffset? t) => t is { } at ? Human.Duration(DateTimeOffset.UtcNow - at) : "<none>";
            string Age(long created) => Human.Duration(DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(created));
            switch (pr.GetValue(kind)!.ToLowerInvariant())
            {
                case "deployments" or "deployment" or "deploy" or "statefulsets" or "sts":
                {
                    var t = new Table("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE");
                    // Job pods and DaemonSets have tables of their own.
                    var daemonSets = (await client.GetJsonAsync("workloads/daemonsets", WorkloadJson.Default.ListDaemonSetView, ct)).Select(ds => (ds.App, ds.Name)).ToHashSet();
                    foreach (var g in mains.Where(c => !c.Labels.ContainsKey(JobLabels.JobName)).GroupBy(c => (App: c.Labels[ManagedLabels.App], Svc: c.Labels.GetValueOrDefault(ManagedLabels.Service) ?? "")).OrderBy(g => g.Key))
                    {
                        var running = g.Count(c => c.State == "running");
                        if (daemonSets.Contains(g.Key)) continue;
                        var hashes = g.GroupBy(c => c.Labels.GetValueOrDefault(ManagedLabels.Revision)).OrderByDescending(h => h.Max(c => c.Created)).First().Count();
                        t.Add($"{g.Key.App}/{g.Key.Svc}", $"{running}/{g.Count()}", hashes.ToString(), running.ToString(), Age(g.Min(c => c.Created)));
                    }
                    Console.Write(t);
                    return 0;
                }
                case "daemonsets" or "daemonset" or "ds":
                {
                    var t = new Table("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE");
                    foreach (var ds in await client.GetJsonAsync("workloads/daemonsets", WorkloadJson.Default.ListDaemonSetView, ct))
                        t.Add($"{ds.App}/{ds.Name}", N(ds.Desired), N(ds.Current), N(ds.Ready), N(ds.UpToDate), N(ds.Available),
                            ds.NodeSelector.Count == 0 ? "<none>" : string.Join(",", ds.NodeSelector.Select(kv => kv.Key + "=" + kv.Value)), Since(ds.Created));
                    Console.Write(t);
                    return 0;
                }
                case "jobs" or "job":
                {
                    // kubectl's columns (STATUS as kubectl 1.28+ prints it); DURATION runs until the Job finishes.
                    var t = new Table("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE");
                    foreach (var j in await client.GetJsonAsync("workloads/jobs", WorkloadJson.Default.ListJobView, ct))
                        t.Add($"{j.App}/{j.Name}", j.Status, j.Completions,
                            j.StartTime is { } start ? Human.Duration((j.FinishedTime ?? DateTimeOffset.UtcNow) - start) : "", Since(j.Created));
                    Console.Write(t);
                    return 0;
                }
                case "cronjobs" or "cronjob" or "cj":
                {
                    var t = new Table("NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE");
                    foreach (var c in await client.GetJsonAsync("workloads/cronjobs", WorkloadJson.Default.ListCronJobView, ct))
                        t.Add($"{c.App}/{c.Name}", c.Schedule, c.TimeZone ?? "<none>", c.Suspend ? "True" : "False", N(c.Active), Since(c.LastScheduleTime), Since(c.Created));
                    Console.Write(t);
                    return 0;
                }
                case "pods" or "pod" or "po":
                {
                    var t = new Table("NAME", "READY", "STATUS", "RESTARTS", "AGE");
                    foreach (var c in mains.OrderBy(c => c.Names[0], StringComparer.Ordinal))
                    {
                        var name = c.Names[0].TrimStart('/');
                        var parts = containers.Where(x => x.Id == c.Id || x.Names[0].TrimStart('/').StartsWith(name + "-", StringComparison.Ordinal) && x.Labels.ContainsKey(ManagedLabels.Part)).ToList();
                        var status = c.State switch { "running" => "Running", "exited" => c.Status.Contains("(0)") ? "Completed" : "Error", "created" => "Pending", var s => s };
                        t.Add(name, $"{parts.Count(p => p.State == "running")}/{parts.Count}", status, "0", Age(c.Created));
                    }
                    Console.Write(t);
                    return 0;
                }
                case "services" or "service" or "svc":
                {
                    var routers = await client.GetJsonAsync("routers", ApiJson.Default.ListRouterConfig, ct);
                    var t = new Table("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "BACKENDS");
                    foreach (var r in routers.Where(r => r.Labels.ContainsKey(ManagedLabels.App)).OrderBy(r => r.Name, StringComparer.Ordinal))
                        t.Add(r.Labels.GetValueOrDefault(ManagedLabels.Service) ?? r.Name, r.HostPort is null ? "ClusterIP" : "NodePort", r.Vip, "<none>",
                            r.HostPort is { } hp ? $"{r.Port}:{hp}/{r.Protocol.ToUpperInvariant()}" : $"{r.Port}/{r.Protocol.ToUpperInvariant()}",
                            $"{r.Backends.Count(b => b.Ready)}/{r.Backends.Count} ready");
                    Console.Write(t);
                    return 0;
                }
                case "secrets" or "secret" or "configmaps" or "configmap" or "cm":
                {
                    // Names, keys and versions only: kubectl shows DATA as a count, and so do we; values never leave the daemon.
                    var secrets = pr.GetValue(kind)!.StartsWith("secret", StringComparison.OrdinalIgnoreCase);
                    var list = await client.GetJsonAsync(secrets ? "secrets" : "configs", ApiJson.Default.ListSecretInspect, ct);
                    var t = new Table("NAME", "APP", "DATA", "VERSION", "AGE");
                    foreach (var o in list.Where(o => o.Spec.Labels.ContainsKey(ManagedLabels.App)).OrderBy(o => o.Spec.Name, StringComparer.Ordinal))
                        t.Add(o.Spec.Name, o.Spec.Labels[ManagedLabels.App], (o.Spec.Keys?.Count ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                            o.Version.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), Human.Duration(DateTime.UtcNow - o.CreatedAt));
                    Console.Write(t);
                    return 0;
                }
                case "pvc" or "persistentvolumeclaims" or "persistentvolumeclaim" or "volumes":
                {
                    var list = await client.GetJsonAsync("volumes", ApiJson.Default.VolumeListResponse, ct);
                    var t = new Table("NAME", "APP", "STATUS", "VOLUME", "AGE");
                    foreach (var v in list.Volumes.Where(v => v.Labels.ContainsKey(ManagedLabels.App) && !v.Labels.ContainsKey(ManagedLabels.Ephemeral)
                                 && !v.Labels.ContainsKey(ManagedLabels.AnonymousOf)).OrderBy(v => v.Name, StringComparer.Ordinal))
                        t.Add(v.Labels.GetValueOrDefault(ManagedLabels.Resource) ?? v.Name, v.Labels[ManagedLabels.App], "Bound", v.Name,
                            DateTimeOffset.TryParse(v.CreatedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at) ? Human.Duration(DateTimeOffset.UtcNow - at) : "");
                    Console.Write(t);
                    return 0;
                }
                default:
                    throw new CliException($"the server doesn't have a resource type \"{pr.GetValue(kind)}\" (known: deployments, daemonsets, jobs, cronjobs, pods, services, secrets, configmaps, pvc)");
            }
        });
        return cmd;
    }
}
