using System.Globalization;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Swarm;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>The container of a Compose service: image, command, environment, ports it exposes, mounts, health, limits, privileges.</summary>
internal static class ContainerMapper
{
    public static Container Map(string name, YMapping svc, ComposeProject project, DeploySettings deploy, LoadContext ctx)
    {
        var r = ctx.Reader;
        var build = Build(svc["build"], ctx);
        if (build is not null) ConfineBuild(build, svc["build"]!, project, ctx);
        var image = r.String(svc["image"]) ?? (build is not null ? $"{project.Name}-{name}" : "");
        if (project.Stack && build is not null)
        {
            ctx.Diagnostics.Warning(svc["build"]!, "build is ignored in a stack: stacks run images, they do not build them", "stack.build");
            build = null;
        }

        var env = Environment(svc, project, ctx);
        var expose = new List<ContainerPort>();
        foreach (var item in r.Sequence(svc["expose"])?.Items ?? [])
        {
            var text = r.String(item);
            if (text is null) continue;
            var protocol = "tcp";
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0) { protocol = text[(slash + 1)..].ToLowerInvariant(); text = text[..slash]; }
            if (!PortSyntax.TryRange(text, out var first, out var last) || last - first >= PortSyntax.MaxRange)
            {
                ctx.Diagnostics.Error(item, $"expected a port or a port range such as 3000 or 3000-3005, got \"{text}\"", "compose.expose");
                continue;
            }
            for (var p = first; p <= last; p++) expose.Add(new ContainerPort(p, protocol, null));
        }

        var limits = (((svc["deploy"] as YMapping)?["resources"] as YMapping)?["limits"]) as YMapping;
        ctx.Sources.Field(name, "resources.cpu", limits?["cpus"] ?? svc["cpus"]);
        ctx.Sources.Field(name, "resources.memory", limits?["memory"] ?? svc["mem_limit"]);
        ctx.Sources.Field(name, "image", svc["image"]);
        var resources = deploy.Resources ?? new Resources(
            DeployMapper.Cpus(svc["cpus"], ctx), r.Bytes(svc["mem_limit"]), null, r.Bytes(svc["mem_reservation"]), null, null);
        if (r.Long(svc["pids_limit"], -1) is { } pids and > 0) resources = resources with { PidsLimit = pids };
        if (r.Bytes(svc["shm_size"]) is { } shm) resources = resources with { ShmSize = shm };

        var ulimits = new Dictionary<string, Ulimit>(StringComparer.Ordinal);
        foreach (var e in r.Mapping(svc["ulimits"])?.Entries ?? [])
        {
            if (e.Value is YMapping lim)
            {
                if (r.Long(lim["soft"]) is { } soft && r.Long(lim["hard"]) is { } hard) ulimits[e.Key.Value] = new Ulimit(soft, hard);
            }
            else if (r.Long(e.Value) is { } both) ulimits[e.Key.Value] = new Ulimit(both, both);
        }

        Logging? logging = null;
        if (r.Mapping(svc["logging"]) is { } log)
            logging = new Logging(r.String(log["driver"]) ?? "json-file", new ValueMap<string>(r.StringMap(log["options"]) ?? []));

        return new Container(
            name,
            image,
            build,
            Pull(svc["pull_policy"], build is not null, ctx),
            Words(svc["entrypoint"], ctx),
            Words(svc["command"], ctx),
            env,
            default,
            r.String(svc["user"]),
            r.String(svc["working_dir"]),
            [.. expose.Distinct().OrderBy(p => p.Port).ThenBy(p => p.Protocol, StringComparer.Ordinal)],
            [.. MountMapper.Map(svc, ctx).OrderBy(m => m.Target, StringComparer.Ordinal)],
            HealthcheckMapper.Map(svc["healthcheck"], ctx),
            null,
            null,
            resources,
            ComposeSecurity.Map(name, svc, project, ctx),
            r.Bool(svc["init"]) ?? false,
            r.Bool(svc["tty"]) ?? false,
            r.Bool(svc["stdin_open"]) ?? false,
            r.String(svc["stop_signal"]) ?? "SIGTERM",
            new ValueMap<string>((r.ListOrDict(svc["sysctls"]) ?? []).Select(s => KeyValuePair.Create(s.Key, s.Value ?? ""))),
            new ValueMap<Ulimit>(ulimits),
            logging,
            r.String(svc["platform"]));
    }

    /// <summary>
    /// <c>env_file</c> entries first, then <c>environment</c> over them. A variable written without a value
    /// takes the project environment's value, and is left out when that is unset (Compose's rule).
    /// </summary>
    private static ValueList<EnvVar> Environment(YMapping svc, ComposeProject project, LoadContext ctx)
    {
        var r = ctx.Reader;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var envFiles = svc["env_file"] switch
        {
            YScalar { IsNull: false } one => [one],
            YSequence seq => seq.Items,
            _ => [],
        };
        foreach (var item in envFiles)
        {
            string? path;
            var required = true;
            if (item is YMapping m)
            {
                path = r.String(m["path"]);
                required = r.Bool(m["required"]) ?? true;
            }
            else path = r.String(item);
            if (path is null) continue;
            if (ctx.Paths.Read(path, project.RootDir, item.Mark, item.Path, "env_file") is not { } local) continue;
            if (!File.Exists(local))
            {
                if (required) ctx.Diagnostics.Error(item, $"env file {path} not found", "compose.env-file");
                continue;
            }
            foreach (var e in ComposeEnvironment.ReadEnvFile(local, project.Environment.Lookup, ctx, item.Mark, item.Path) ?? [])
                values[e.Key] = e.Value;
        }
        foreach (var (key, value, _) in r.ListOrDict(svc["environment"]) ?? [])
        {
            if (value is not null) values[key] = value;
            else if (project.Environment.Lookup(key) is { } fromEnv) values[key] = fromEnv;
            else values.Remove(key);
        }
        return [.. values.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new EnvVar(kv.Key, kv.Value, null))];
    }

    private static BuildSpec? Build(YNode? node, LoadContext ctx)
    {
        var r = ctx.Reader;
        switch (node)
        {
            case null or YScalar { IsNull: true }:
                return null;
            case YScalar s:
                return new BuildSpec(s.Value, null, null, null, default);
            case YMapping m:
                var args = (r.ListOrDict(m["args"]) ?? []).Where(a => a.Value is not null).Select(a => KeyValuePair.Create(a.Key, a.Value!));
                return new BuildSpec(r.String(m["context"]) ?? ".", r.String(m["dockerfile"]), r.String(m["dockerfile_inline"]), r.String(m["target"]), new ValueMap<string>(args));
            default:
                ctx.Diagnostics.Error(node, $"expected a string or a mapping, got {node.TypeName}", "manifest.type");
                return null;
        }
    }

    private static PullPolicy Pull(YNode? node, bool hasBuild, LoadContext ctx)
    {
        if (node is not YScalar { IsNull: false } s) return PullPolicy.Missing;
        switch (s.Value)
        {
            case "missing" or "if_not_present": return PullPolicy.Missing;
            case "always": return PullPolicy.Always;
            case "never": return PullPolicy.Never;
            case "build": return hasBuild ? PullPolicy.Build : PullPolicy.Missing;
            case "daily" or "weekly":
            case var every when every.StartsWith("every_", StringComparison.Ordinal):
                ctx.Unsupported(s, $"pull_policy '{s.Value}' is not supported", outcome: "; the image is pulled when missing");
                return PullPolicy.Missing;
            default:
                ctx.Diagnostics.Error(s, $"expected one of 'always', 'never', 'missing', 'build', got \"{s.Value}\"", "manifest.enum");
                return PullPolicy.Missing;
        }
    }

    /// <summary>A command as a list (exec form) or a string split like a shell would; null keeps the image's.</summary>
    public static ValueList<string>? Words(YNode? node, LoadContext ctx)
    {
        switch (node)
        {
            case null or YScalar { IsNull: true }:
                return null;
            case YScalar s:
                var words = ShellWords.Split(s.Value, out var error);
                if (words is null) { ctx.Diagnostics.Error(s, $"cannot split the command into words: {error}", "compose.command"); return null; }
                return new ValueList<string>(words);
            default:
                return ctx.Reader.StringList(node) is { } list ? new ValueList<string>(list) : (ValueList<string>?)null;
        }
    }

    /// <summary>
    /// A build context and its Dockerfile are read from the revision: both must stay in its tree. A remote context
    /// (a Git URL) is fetched by the builder, not read here.
    /// </summary>
    private static void ConfineBuild(BuildSpec build, YNode node, ComposeProject project, LoadContext ctx)
    {
        if (ComposePaths.IsRemote(build.Context)) return;
        var contextNode = (node as YMapping)?["context"] ?? node;
        if (ctx.Paths.Read(build.Context, project.RootDir, contextNode.Mark, contextNode.Path, "build context") is not { } context) return;
        if (build.Dockerfile is { } dockerfile && (node as YMapping)?["dockerfile"] is { } fileNode && !Path.IsPathRooted(dockerfile))
            ctx.Paths.Read(dockerfile, context, fileNode.Mark, fileNode.Path, "dockerfile");
    }

    internal static string Invariant(int v) => v.ToString(CultureInfo.InvariantCulture);
}
