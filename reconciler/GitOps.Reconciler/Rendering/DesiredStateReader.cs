using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rendering;

/// <summary>
/// Reads a desired-state document (what <see cref="DesiredStateWriter"/> writes) back into the model. Hash
/// fields are recomputed, not trusted; secret values come back as digests only.
/// </summary>
internal static class DesiredStateReader
{
    public static void Read(YMapping root, ApplicationBuilder app, LoadContext ctx)
    {
        var r = ctx.Reader;
        var doc = StrictObject.Of(root, r)!;
        doc.Str("apiVersion");
        if (doc.Str("kind") != DesiredStateFormat.Kind) r.Error(root["kind"] ?? root, $"expected kind {DesiredStateFormat.Kind}", "state.kind");
        var name = doc.Str("name");
        app.Name ??= name;
        foreach (var (key, entry, o) in doc.ObjectMap("services")) { app.Add(Service(key, o, r, app.AnalysisReferences, ctx), entry.Key); ctx.Sources.Add(SourceMap.Service(key), entry.Key); }
        foreach (var (_, entry, o) in doc.ObjectMap("analysisTemplates"))
            if (Rollouts.Rendering.RolloutStateReader.Template(o.Node, ctx) is { } template) app.Add(template, entry.Key);
        foreach (var (key, entry, o) in doc.ObjectMap("routes")) app.Add(Route(key, o), entry.Key);
        foreach (var (key, entry, o) in doc.ObjectMap("networks")) app.Add(Network(key, o), entry.Key);
        foreach (var (key, entry, o) in doc.ObjectMap("volumes")) app.Add(Volume(key, o), entry.Key);
        foreach (var (key, entry, o) in doc.ObjectMap("secrets")) app.Add(Secret(key, o, r), entry.Key);
        foreach (var (key, entry, o) in doc.ObjectMap("configs")) app.Add(Config(key, o), entry.Key);
        foreach (var o in doc.Objects("unsupported"))
        {
            app.Add(new UnsupportedResource(o.RequiredStr("apiVersion"), o.RequiredStr("kind"), o.RequiredStr("name"), o.Str("namespace")));
            o.Done();
        }
        doc.Done();
    }

    private static Service Service(string name, StrictObject o, NodeReader r, Rollouts.Loading.AnalysisReferences references, LoadContext ctx)
    {
        var rollout = Rollouts.Rendering.RolloutStateReader.Read(o["rollout"], name, references, ctx);
        o.Str("specHash");
        o.Str("templateHash");
        var replication = o.Object("replication");
        var mode = replication?.Enum("mode", ReplicationMode.Replicated) ?? ReplicationMode.Replicated;
        var rep = new Replication(mode, replication?.Int("replicas", 0) ?? (mode == ReplicationMode.Replicated ? 1 : 0), replication?.Int("maxPerNode", 0));
        replication?.Done();
        var placement = o.Object("placement");
        var stateful = o.Object("stateful");
        StatefulOptions? statefulOptions = null;
        if (stateful is not null)
        {
            statefulOptions = new StatefulOptions(stateful.Str("governingService"), stateful.Enum("podManagement", PodManagement.OrderedReady),
                [.. stateful.Objects("claimTemplates").Select(c => Done(c, new ClaimTemplate(c.RequiredStr("name"), Claim(c.Object("claim")))))]);
            stateful.Done();
        }
        var job = o.Object("job") is { } j ? Done(j, new JobSpec(j.Int("completions", 0), j.Int("parallelism", 0) ?? 1, j.Int("backoffLimit", 0) ?? JobSpec.DefaultBackoffLimit,
            j.OptionalDuration("activeDeadline"), j.OptionalDuration("ttlAfterFinished"), j.Enum("completionMode", CompletionMode.NonIndexed), j.Bool("suspend"))) : null;
        var cron = o.Object("cronJob") is { } c ? Done(c, new CronJobSpec(c.RequiredStr("schedule"), c.Str("timeZone"), c.Enum("concurrency", ConcurrencyPolicy.Allow),
            c.Bool("suspend"), c.OptionalDuration("startingDeadline"), c.Int("successfulJobsHistoryLimit", 0) ?? CronJobSpec.DefaultSuccessfulJobsHistoryLimit,
            c.Int("failedJobsHistoryLimit", 0) ?? CronJobSpec.DefaultFailedJobsHistoryLimit, c.Map("jobLabels"), c.Map("jobAnnotations"))) : null;
        var templateNode = o.Object("template");
        if (templateNode is null) r.Error(o.Node, "missing required field 'template'", "state.required");
        var service = new Service(
            name,
            o.Enum("format", SourceFormat.Compose),
            o.Enum("kind", WorkloadKind.Service),
            o.Map("labels"),
            templateNode is null ? EmptyTemplate : Template(templateNode),
            rep,
            Update(o.Object("update")) ?? UpdateStrategy.Recreate,
            Update(o.Object("rollback")),
            placement is null ? Placement.Anywhere : PlacementOf(placement, r),
            [.. o.Objects("ports").Select(p => Done(p, new PortBinding(p.Int("target", 0) ?? 0, p.Int("published", 0), p.Str("protocol") ?? "tcp", p.Str("hostIp"),
                p.Enum("mode", PortMode.Ingress), p.Str("name"), p.Str("appProtocol")) { PublishedEnd = p.Int("publishedEnd", 0) }))],
            o.Enum("endpointMode", EndpointMode.Vip),
            [.. o.Objects("dependsOn").Select(d => Done(d, new Dependency(d.RequiredStr("service"), d.Enum("condition", DependencyCondition.Started), d.Bool("restart"), !d.Bool("optional"))))],
            statefulOptions) { Job = job, Cron = cron, Rollout = rollout };
        o.Done();
        return service;
    }

    private static readonly PodTemplate EmptyTemplate = new(default, default, default, default, null, null, NetworkMode.Default, default, default, default, default, RestartPolicy.Never, TimeSpan.Zero, default, null, null);

    private static UpdateStrategy? Update(StrictObject? u)
    {
        if (u is null) return null;
        var kind = u.Enum("kind", UpdateKind.Recreate);
        UpdateStrategy result = kind switch
        {
            UpdateKind.Rolling => new UpdateStrategy(UpdateKind.Rolling, u.IntOrPercentOf("maxSurge"), u.IntOrPercentOf("maxUnavailable"), u.Duration("delay"),
                u.Duration("monitor"), u.Enum("failureAction", FailureAction.Pause), u.Double("maxFailureRatio"), u.Duration("minReady"), u.Int("partition", 0) ?? 0),
            UpdateKind.OnDelete => UpdateStrategy.OnDelete,
            _ => UpdateStrategy.Recreate,
        };
        u.Done();
        return result;
    }

    public static PodTemplate Template(StrictObject t)
    {
        var nm = t.Object("networkMode");
        var restart = t.Object("restart");
        var template = new PodTemplate(
            t.Map("labels"),
            t.Map("annotations"),
            [.. t.Objects("containers").Select(Container)],
            [.. t.Objects("initContainers").Select(Container)],
            t.Str("hostname"),
            t.Str("domainname"),
            nm is null ? NetworkMode.Default : Done(nm, new NetworkMode(nm.Enum("kind", NetworkModeKind.Default), nm.Str("target"))),
            [.. t.Objects("networks").Select(n => Done(n, new NetworkAttachment(n.RequiredStr("network"), n.Strings("aliases"), n.Str("ipv4Address"), n.Str("ipv6Address"), n.Str("macAddress"), n.Int("priority") ?? 0)))],
            t.Strings("dns"),
            t.Strings("dnsSearch"),
            t.Strings("extraHosts"),
            restart is null ? RestartPolicy.Never : Done(restart, new RestartPolicy(restart.Enum("condition", RestartCondition.No), restart.Int("maxAttempts", 0), restart.Duration("delay"), restart.Duration("window"))),
            t.Duration("stopGracePeriod"),
            t.Strings("volumesFrom"),
            t.Str("ipc"),
            t.Str("pid"),
            t.Str("serviceAccount"),
            t.Str("dnsPolicy"),
            t.Strings("dnsOptions"));
        t.Done();
        return template;
    }

    private static Container Container(StrictObject c)
    {
        var build = c.Object("build");
        var resources = c.Object("resources");
        var security = c.Object("security");
        var logging = c.Object("logging");
        var container = new Container(
            c.RequiredStr("name"),
            c.Str("image") ?? "",
            build is null ? null : Done(build, new BuildSpec(build.Str("context") ?? ".", build.Str("dockerfile"), build.Str("dockerfileInline"), build.Str("target"), build.Map("args"))),
            c.Enum("pull", PullPolicy.Missing),
            c.OptionalStrings("entrypoint"),
            c.OptionalStrings("command"),
            [.. c.Objects("env").Select(e =>
            {
                var from = e.Object("from");
                var source = from is null ? null : Done(from, new EnvValueSource(from.Enum("kind", EnvSourceKind.SecretKey), from.RequiredStr("name"), from.Str("key"), from.Bool("optional"), from.Str("divisor")));
                return Done(e, new EnvVar(e.RequiredStr("name"), e.Str("value"), source));
            })],
            [.. c.Objects("envFrom").Select(e => Done(e, new EnvFrom(e.Enum("kind", EnvFromKind.Secret), e.RequiredStr("name"), e.Str("prefix"), e.Bool("optional"))))],
            c.Str("user"),
            c.Str("workingDir"),
            [.. c.Objects("ports").Select(p => Done(p, new ContainerPort(p.Int("port", 0) ?? 0, p.Str("protocol") ?? "tcp", p.Str("name"))))],
            [.. c.Objects("mounts").Select(m => Done(m, new Mount(m.Enum("type", MountType.Volume), m.Str("source"), m.RequiredStr("target"), m.Bool("readOnly"), m.Str("subPath"), m.Str("key"),
                m.Mode("mode"), m.Str("uid"), m.Str("gid"), m.Long("sizeBytes", 0), m.Bool("createHostPath"), m.Str("propagation"), m.Bool("noCopy"))))],
            Probe(c.Object("health")),
            Probe(c.Object("liveness")),
            Probe(c.Object("startup")),
            resources is null ? Resources.None : Done(resources, new Resources(resources.Long("cpuLimitNano", 0), resources.Long("memoryLimitBytes", 0),
                resources.Long("cpuReservationNano", 0), resources.Long("memoryReservationBytes", 0), resources.Long("pidsLimit", 0), resources.Long("shmSizeBytes", 0),
                resources.Long("storageLimitBytes", 0), resources.Long("storageReservationBytes", 0))),
            security is null ? SecurityOptions.Default : Done(security, new SecurityOptions(security.Bool("privileged"), security.Bool("readOnlyRootFilesystem"),
                security.Strings("capAdd"), security.Strings("capDrop"), security.Strings("securityOpt"))
            {
                Devices = [.. security.Objects("devices").Select(d => Done(d, new Device(d.RequiredStr("hostPath"), d.Str("containerPath") ?? d.RequiredStr("hostPath"), d.Str("permissions") ?? "rwm")))],
            }),
            c.Bool("init"),
            c.Bool("tty"),
            c.Bool("stdinOpen"),
            c.Str("stopSignal") ?? "SIGTERM",
            c.Map("sysctls"),
            new ValueMap<Ulimit>(c.ObjectMap("ulimits").Select(u => KeyValuePair.Create(u.Key, Done(u.Value, new Ulimit(u.Value.Long("soft") ?? 0, u.Value.Long("hard") ?? 0))))),
            logging is null ? null : Done(logging, new Logging(logging.Str("driver") ?? "json-file", logging.Map("options"))),
            c.Str("platform"),
            c.Bool("sidecar"));
        c.Done();
        return container;
    }

    private static Probe? Probe(StrictObject? p)
    {
        if (p is null) return null;
        var a = p.Object("action");
        ProbeAction action;
        if (a is null) action = new ProbeAction(ProbeKind.Disabled, default, null, null, null, null, null, default, null);
        else
        {
            var kind = a.Enum("kind", ProbeKind.Exec);
            action = Done(a, new ProbeAction(kind, a.OptionalStrings("command") ?? default, a.Str("path"), a.Int("port", 0), a.Str("portName"), a.Str("scheme"), a.Str("host"), a.Map("headers"), a.Str("grpcService")));
        }
        return Done(p, new Probe(action, p.Duration("initialDelay"), p.Duration("interval"), p.Duration("timeout"), p.Int("successThreshold", 0) ?? 0,
            p.Int("failureThreshold", 0) ?? 0, p.Duration("startPeriod"), p.Duration("startInterval")));
    }

    private static Route Route(string name, StrictObject o) => Done(o, new Route(
        name,
        o.Enum("type", RouteType.ClusterIp),
        o.Map("selector"),
        o.Strings("backends"),
        [.. o.Objects("ports").Select(p =>
        {
            var resolved = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var e in (p["resolved"] as YMapping)?.Entries ?? [])
                if (e.Value is YScalar s && s.TryGetInt64(out var v) && v is > 0 and <= 65535) resolved[e.Key.Value] = (int)v;
            return Done(p, new RoutePort(p.Str("name"), p.Int("port", 0) ?? 0, p.Str("protocol") ?? "tcp", p.RequiredStr("targetPort"), p.Int("nodePort", 0), new ValueMap<int>(resolved)));
        })],
        o.Str("sessionAffinity"),
        o.Map("labels"),
        o.Str("requestedType")));

    private static Network Network(string key, StrictObject o) => Done(o, new Network(
        key, o.Str("name"), o.Str("driver") ?? "bridge", o.Bool("external"), o.Bool("internal"), o.Bool("attachable"), o.Bool("enableIpv6"),
        [.. o.Objects("ipam").Select(p => Done(p, new IpamPool(p.Str("subnet"), p.Str("gateway"), p.Str("ipRange"))))],
        o.Map("labels"), o.Map("driverOptions")));

    private static Volume Volume(string key, StrictObject o)
    {
        var claim = o.Object("claim");
        return Done(o, new Volume(key, o.Str("name"), o.Str("driver") ?? "local", o.Bool("external"), o.Map("driverOptions"), o.Map("labels"), claim is null ? null : Claim(claim)));
    }

    private static ClaimSpec Claim(StrictObject? c) => c is null
        ? new ClaimSpec(null, default, null, null)
        : Done(c, new ClaimSpec(c.Long("storageBytes", 0), c.Strings("accessModes"), c.Str("storageClass"), c.Str("volumeMode")));

    private static Secret Secret(string key, StrictObject o, NodeReader r)
    {
        var content = o.Object("content");
        var data = new Dictionary<string, SecretValue>(StringComparer.Ordinal);
        foreach (var (k, _, v) in o.ObjectMap("data")) if (Masked(v, r) is { } sv) data[k] = sv;
        return Done(o, new Secret(key, o.Str("name"), o.Bool("external"), content is null ? null : Masked(content, r), new ValueMap<SecretValue>(data),
            o.Str("file"), o.Str("environment"), o.Str("type"), o.Map("labels")));
    }

    /// <summary>A masked value: only its digest is known (clear values are refused: they do not belong in this format).</summary>
    private static SecretValue? Masked(StrictObject o, NodeReader r)
    {
        o.Bool("masked");
        var digest = o.RequiredStr("digest");
        o.Done();
        var value = SecretValue.FromDigest(digest);
        if (value is null) r.Error(o.Node, "expected digest sha256:<64 hex digits>", "state.digest");
        return value;
    }

    private static Config Config(string key, StrictObject o) => Done(o, new Config(
        key, o.Str("name"), o.Bool("external"), o.Str("content"), o.Map("data"), o.Map("binaryData"), o.Str("file"), o.Str("fileDigest"), o.Str("environment"), o.Map("labels")));

    /// <summary>The placement; constraints and preferences are validated again (a hand-edited state is input like any other).</summary>
    private static Placement PlacementOf(StrictObject p, NodeReader r)
    {
        var constraints = new List<string>();
        foreach (var item in r.Sequence(p["constraints"])?.Items ?? [])
        {
            if (r.String(item) is not { } text) continue;
            if (PlacementConstraint.TryParse(text, out var c, out var error)) constraints.Add(c.ToString());
            else r.Error(item, error, "deploy.constraint");
        }
        var preferences = new List<string>();
        foreach (var item in r.Sequence(p["preferences"])?.Items ?? [])
        {
            if (r.String(item) is not { } text) continue;
            if (text.StartsWith(SpreadPreference.Prefix, StringComparison.Ordinal) && SpreadPreference.TryParse(text[SpreadPreference.Prefix.Length..], out var canonical, out var error)) preferences.Add(canonical);
            else r.Error(item, $"invalid placement preference \"{text}\": expected spread=node.labels.<name> or spread=engine.labels.<name>", "deploy.preference");
        }
        var placement = new Placement(
            [.. constraints],
            [.. preferences],
            p.Map("nodeSelector"),
            p.Str("nodeName"),
            [.. p.Objects("nodeAffinity").Select(t => Done(t, new NodeSelectorTerm(Requirements(t, "matchExpressions"), Requirements(t, "matchFields"))))],
            [.. p.Objects("podAntiAffinity").Select(t =>
            {
                var sel = t.Object("selector");
                var selector = sel is null ? new PodSelector(default, default) : Done(sel, new PodSelector(sel.Map("matchLabels"), Requirements(sel, "matchExpressions")));
                return Done(t, new PodAffinityTerm(selector, t.RequiredStr("topologyKey")));
            })],
            [.. p.Objects("tolerations").Select(t => Done(t, new Toleration(t.Str("key"), t.Enum("operator", TolerationOperator.Equal), t.Str("value"),
                t["effect"] is null ? null : t.Enum("effect", TaintEffect.NoSchedule), t.Long("seconds"))))],
            p.Bool("rescheduleWithDataLoss"));
        p.Done();
        return placement;
    }

    private static ValueList<SelectorRequirement> Requirements(StrictObject o, string key) =>
        [.. o.Objects(key).Select(e => Done(e, new SelectorRequirement(e.RequiredStr("key"), e.Enum("operator", SelectorOperator.In), e.Strings("values"))))];

    private static T Done<T>(StrictObject o, T value)
    {
        o.Done();
        return value;
    }
}
