using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Swarm;

/// <summary>
/// Maps a <c>deploy:</c> section. In a stack every absent field takes Swarm's default; in plain Compose a
/// service without <c>update_config</c> is recreated (what <c>docker compose up</c> does), and one with it rolls
/// out with Swarm's defaults for the fields it leaves out.
/// </summary>
internal static class DeployMapper
{
    public static DeploySettings Map(YMapping service, bool stack, LoadContext ctx)
    {
        var r = ctx.Reader;
        var deploy = r.Mapping(service["deploy"]);

        var mode = deploy is null ? null : r.String(deploy["mode"]);
        var replicasNode = deploy?["replicas"];
        var replicas = r.Int(replicasNode, 0);
        if (replicas is null && service["scale"] is { } scale) replicas = r.Int(scale, 0);
        var maxPerNodeNode = (deploy?["placement"] as YMapping)?["max_replicas_per_node"];
        // 0 is Swarm's "no limit": the same thing as leaving it out, so both give one model.
        var maxPerNode = r.Int(maxPerNodeNode, 0) is > 0 and var max ? max : (int?)null;
        Replication replication;
        switch (mode)
        {
            case null or "replicated":
                replication = new Replication(ReplicationMode.Replicated, replicas ?? 1, maxPerNode);
                break;
            case "global":
                if (replicasNode is not null and not YScalar { IsNull: true })
                    ctx.Diagnostics.Error(replicasNode, "replicas can only be used with replicated mode, not global", "deploy.replicas-global");
                if (maxPerNode is not null)
                    ctx.Diagnostics.Error(maxPerNodeNode!, "max_replicas_per_node can only be used with replicated mode, not global", "deploy.max-replicas-global");
                replication = new Replication(ReplicationMode.Global, 0, maxPerNode);
                break;
            case "replicated-job" or "global-job":
                ctx.Unsupported(deploy!["mode"]!, $"deploy mode '{mode}' (jobs) is not supported", outcome: "; the service is run as replicated");
                replication = new Replication(ReplicationMode.Replicated, replicas ?? 1, maxPerNode);
                break;
            default:
                ctx.Diagnostics.Error(deploy!["mode"]!, $"expected one of 'replicated', 'global', got \"{mode}\"", "deploy.mode");
                replication = Replication.Replicated(1);
                break;
        }

        var updateNode = deploy?["update_config"];
        var update = updateNode is not null ? Rolling(r.Mapping(updateNode), ctx) : stack ? SwarmDefaults.Update : UpdateStrategy.Recreate;
        var rollbackNode = deploy?["rollback_config"];
        var rollback = rollbackNode is not null ? Rolling(r.Mapping(rollbackNode), ctx) : stack ? SwarmDefaults.Update : null;

        RestartPolicy? restart = null;
        if (deploy?["restart_policy"] is { } restartNode) restart = RestartFrom(r.Mapping(restartNode), ctx);
        else if (stack) restart = SwarmDefaults.Restart;

        Resources? resources = null;
        if (r.Mapping(deploy?["resources"]) is { } res)
        {
            var limits = r.Mapping(res["limits"]);
            var reservations = r.Mapping(res["reservations"]);
            resources = new Resources(
                Cpus(limits?["cpus"], ctx), r.Bytes(limits?["memory"]),
                Cpus(reservations?["cpus"], ctx), r.Bytes(reservations?["memory"]),
                r.Long(limits?["pids"], 0), null);
            foreach (var key in new[] { "generic_resources", "devices" })
                if (reservations?[key] is { } unsupported) ctx.Unsupported(unsupported, $"deploy.resources.reservations.{key} is not supported by gitops", outcome: " and is ignored");
        }

        var labelEntries = r.ListOrDict(deploy?["labels"]) ?? [];
        var labels = new ValueMap<string>(labelEntries.Select(l => KeyValuePair.Create(l.Key, l.Value ?? "")));
        var placement = SwarmPlacement.Map(r.Mapping(deploy?["placement"]), labelEntries, ctx);

        var endpoint = EndpointMode.Vip;
        if (deploy?["endpoint_mode"] is YScalar { IsNull: false } em)
        {
            endpoint = em.Value switch
            {
                "vip" => EndpointMode.Vip,
                "dnsrr" => EndpointMode.Dnsrr,
                _ => Bad(em, "expected one of 'vip', 'dnsrr'", ctx, EndpointMode.Vip),
            };
        }
        return new DeploySettings(replication, update, rollback, restart, placement, resources, labels, endpoint);
    }

    private static UpdateStrategy Rolling(YMapping? config, LoadContext ctx)
    {
        var r = ctx.Reader;
        var parallelism = r.Int(config?["parallelism"], 0) ?? SwarmDefaults.Parallelism;
        var delay = r.Duration(config?["delay"]) ?? TimeSpan.Zero;
        var monitor = r.Duration(config?["monitor"]) ?? SwarmDefaults.Monitor;
        var ratio = r.Double(config?["max_failure_ratio"]) ?? 0;
        var action = FailureAction.Pause;
        if (config?["failure_action"] is YScalar { IsNull: false } fa)
        {
            action = fa.Value switch
            {
                "pause" => FailureAction.Pause,
                "continue" => FailureAction.Continue,
                "rollback" => FailureAction.Rollback,
                _ => Bad(fa, "expected one of 'pause', 'continue', 'rollback'", ctx, FailureAction.Pause),
            };
        }
        var startFirst = false;
        if (config?["order"] is YScalar { IsNull: false } order)
        {
            startFirst = order.Value switch
            {
                "stop-first" => false,
                "start-first" => true,
                _ => Bad(order, "expected one of 'stop-first', 'start-first'", ctx, false),
            };
        }
        return SwarmDefaults.FromSwarm(parallelism, startFirst, delay, monitor, action, ratio);
    }

    private static RestartPolicy RestartFrom(YMapping? policy, LoadContext ctx)
    {
        var r = ctx.Reader;
        var condition = RestartCondition.Always;
        if (policy?["condition"] is YScalar { IsNull: false } c)
        {
            condition = c.Value switch
            {
                "any" => RestartCondition.Always,
                "on-failure" => RestartCondition.OnFailure,
                "none" => RestartCondition.No,
                _ => Bad(c, "expected one of 'none', 'on-failure', 'any'", ctx, RestartCondition.Always),
            };
        }
        var attempts = r.Int(policy?["max_attempts"], 0);
        return new RestartPolicy(
            condition,
            attempts is null or 0 ? null : attempts, // 0 means no limit in Swarm
            r.Duration(policy?["delay"]) ?? SwarmDefaults.RestartDelay,
            r.Duration(policy?["window"]) ?? TimeSpan.Zero);
    }

    public static long? Cpus(YNode? node, LoadContext ctx)
    {
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is YScalar s && CpuCount.TryParseNanoCpus(s.Value, out var nano)) return nano;
        ctx.Diagnostics.Error(node, $"expected a number of CPUs such as 0.5, got {NodeReader.Describe(node)}", "manifest.cpus");
        return null;
    }

    private static T Bad<T>(YScalar node, string expected, LoadContext ctx, T fallback)
    {
        ctx.Diagnostics.Error(node, $"{expected}, got \"{node.Value}\"", "manifest.enum");
        return fallback;
    }
}
