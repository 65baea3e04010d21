using GitOps.Reconciler.Hashing;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rendering;

/// <summary>
/// Writes an application as a desired-state document (see <see cref="DesiredStateFormat"/>). The same tree,
/// without the hash fields, is what <see cref="SpecHash"/> hashes, so rendering and hashing never disagree.
/// </summary>
internal static class DesiredStateWriter
{
    public static YMapping Write(Application app) => new NodeBuilder()
        .Str("apiVersion", DesiredStateFormat.ApiVersion)
        .Str("kind", DesiredStateFormat.Kind)
        .Str("name", app.Name)
        .ObjectMap("services", app.Services, s => Service(s, withHashes: true))
        .ObjectMap("routes", app.Routes, Route)
        .ObjectMap("networks", app.Networks, Network)
        .ObjectMap("volumes", app.Volumes, Volume)
        .ObjectMap("secrets", app.Secrets, Secret)
        .ObjectMap("configs", app.Configs, Config)
        .ObjectMap("analysisTemplates", app.AnalysisTemplates, Rollouts.Rendering.RolloutWriter.Template)
        .Objects("unsupported", app.Unsupported, u => new NodeBuilder()
            .Str("apiVersion", u.ApiVersion).Str("kind", u.Kind).Str("name", u.Name).Str("namespace", u.Namespace).Build())
        .Build();

    public static YMapping Service(Service s, bool withHashes)
    {
        var b = new NodeBuilder();
        if (withHashes) b.Str("specHash", SpecHash.Of(s)).Str("templateHash", SpecHash.OfTemplate(s));
        return b
            .Enum("format", s.Format)
            .Enum("kind", s.Kind)
            .Map("labels", s.Labels)
            .Node("replication", new NodeBuilder()
                .Enum("mode", s.Replication.Mode)
                .Int("replicas", s.Replication.Mode == ReplicationMode.Replicated ? s.Replication.Replicas : null)
                .Int("maxPerNode", s.Replication.MaxPerNode).Build())
            .Node("update", Update(s.Update, s.Replication))
            .Node("rollback", s.Rollback is null ? null : Update(s.Rollback, s.Replication))
            .Node("placement", PlacementOf(s.Placement))
            .Objects("ports", s.Ports, p => new NodeBuilder()
                .Int("target", p.Target).Int("published", p.Published).Int("publishedEnd", p.PublishedEnd).Str("protocol", p.Protocol).Str("hostIp", p.HostIp)
                .Enum("mode", p.Mode).Str("name", p.Name).Str("appProtocol", p.AppProtocol).Build())
            .Enum("endpointMode", s.EndpointMode)
            .Objects("dependsOn", s.DependsOn, d => new NodeBuilder()
                .Str("service", d.Service).Enum("condition", d.Condition).Bool("restart", d.Restart).Bool("optional", !d.Required).Build())
            .Node("stateful", s.Stateful is null ? null : new NodeBuilder()
                .Str("governingService", s.Stateful.GoverningService)
                .Enum("podManagement", s.Stateful.PodManagement)
                .Objects("claimTemplates", s.Stateful.ClaimTemplates, c => new NodeBuilder().Str("name", c.Name).Node("claim", Claim(c.Claim)).Build())
                .Build())
            .Node("job", s.Job is null ? null : Job(s.Job))
            .Node("cronJob", s.Cron is null ? null : Cron(s.Cron))
            .Node("template", Template(s.Template))
            .Node("rollout", Rollouts.Rendering.RolloutWriter.Write(s.Rollout))
            .Build();
    }

    private static YMapping PlacementOf(Placement p) => new NodeBuilder()
        .Strings("constraints", p.Constraints)
        .Strings("preferences", p.Preferences)
        .Map("nodeSelector", p.NodeSelector)
        .Str("nodeName", p.NodeName)
        .Objects("nodeAffinity", p.NodeAffinity, t => new NodeBuilder()
            .Objects("matchExpressions", t.MatchExpressions, Requirement).Objects("matchFields", t.MatchFields, Requirement).Build())
        .Objects("podAntiAffinity", p.PodAntiAffinity, t => new NodeBuilder()
            .Node("selector", new NodeBuilder().Map("matchLabels", t.Selector.MatchLabels).Objects("matchExpressions", t.Selector.MatchExpressions, Requirement).Build())
            .Str("topologyKey", t.TopologyKey).Build())
        .Objects("tolerations", p.Tolerations, t => new NodeBuilder()
            .Str("key", t.Key).Enum("operator", t.Operator).Str("value", t.Value)
            .Str("effect", t.Effect is { } e ? EnumText.Of(e) : null).Int("seconds", t.Seconds).Build())
        .Bool("rescheduleWithDataLoss", p.RescheduleWithDataLoss)
        .Build();

    private static YMapping Requirement(SelectorRequirement r) => new NodeBuilder()
        .Str("key", r.Key).Enum("operator", r.Operator).Strings("values", r.Values).Build();
    private static YMapping Job(JobSpec j) => new NodeBuilder()
        .Int("completions", j.Completions).Int("parallelism", j.Parallelism).Int("backoffLimit", j.BackoffLimit)
        .Str("activeDeadline", j.ActiveDeadline is { } d ? GoDuration.Format(d) : null)
        .Str("ttlAfterFinished", j.TtlAfterFinished is { } t ? GoDuration.Format(t) : null)
        .Enum("completionMode", j.CompletionMode).Bool("suspend", j.Suspend)
        .Build();

    private static YMapping Cron(CronJobSpec c) => new NodeBuilder()
        .Str("schedule", c.Schedule).Str("timeZone", c.TimeZone).Enum("concurrency", c.Concurrency).Bool("suspend", c.Suspend)
        .Str("startingDeadline", c.StartingDeadline is { } d ? GoDuration.Format(d) : null)
        .Int("successfulJobsHistoryLimit", c.SuccessfulJobsHistoryLimit).Int("failedJobsHistoryLimit", c.FailedJobsHistoryLimit)
        .Map("jobLabels", c.JobLabels).Map("jobAnnotations", c.JobAnnotations)
        .Build();

    private static YMapping Update(UpdateStrategy u, Replication replication)
    {
        var b = new NodeBuilder().Enum("kind", u.Kind);
        if (u.Kind != UpdateKind.Rolling) return b.Build();
        b.Str("maxSurge", u.MaxSurge.ToString()).Str("maxUnavailable", u.MaxUnavailable.ToString())
            .Duration("delay", u.Delay).Duration("monitor", u.Monitor).Enum("failureAction", u.FailureAction)
            .Double("maxFailureRatio", u.MaxFailureRatio).Duration("minReady", u.MinReady).Int("partition", u.Partition);
        return b.Build();
    }

    public static YMapping Template(PodTemplate t) => new NodeBuilder()
        .Map("labels", t.Labels)
        .Map("annotations", t.Annotations)
        .Str("hostname", t.Hostname)
        .Str("domainname", t.Domainname)
        .Node("networkMode", t.NetworkMode == NetworkMode.Default ? null : new NodeBuilder().Enum("kind", t.NetworkMode.Kind).Str("target", t.NetworkMode.Target).Build())
        .Objects("networks", t.Networks, n => new NodeBuilder()
            .Str("network", n.Network).Strings("aliases", n.Aliases).Str("ipv4Address", n.Ipv4Address).Str("ipv6Address", n.Ipv6Address)
            .Str("macAddress", n.MacAddress).Int("priority", n.Priority == 0 ? null : n.Priority).Build())
        .Strings("dns", t.Dns)
        .Strings("dnsSearch", t.DnsSearch)
        .Strings("dnsOptions", t.DnsOptions)
        .Str("dnsPolicy", t.DnsPolicy)
        .Strings("extraHosts", t.ExtraHosts)
        .Node("restart", new NodeBuilder().Enum("condition", t.Restart.Condition).Int("maxAttempts", t.Restart.MaxAttempts)
            .Duration("delay", t.Restart.Delay).Duration("window", t.Restart.Window).Build())
        .Duration("stopGracePeriod", t.StopGracePeriod)
        .Strings("volumesFrom", t.VolumesFrom)
        .Str("ipc", t.Ipc)
        .Str("pid", t.Pid)
        .Str("serviceAccount", t.ServiceAccount)
        .Objects("initContainers", t.InitContainers, Container)
        .Objects("containers", t.Containers, Container)
        .Build();

    private static YMapping Container(Container c) => new NodeBuilder()
        .Str("name", c.Name)
        .Str("image", c.Image)
        .Node("build", c.Build is null ? null : new NodeBuilder().Str("context", c.Build.Context).Str("dockerfile", c.Build.Dockerfile)
            .Str("dockerfileInline", c.Build.DockerfileInline).Str("target", c.Build.Target).Map("args", c.Build.Args).Build())
        .Enum("pull", c.Pull)
        .OptionalStrings("entrypoint", c.Entrypoint)
        .OptionalStrings("command", c.Command)
        .Objects("env", c.Env, e => new NodeBuilder().Str("name", e.Name).Str("value", e.Value)
            .Node("from", e.From is null ? null : new NodeBuilder().Enum("kind", e.From.Kind).Str("name", e.From.Name).Str("key", e.From.Key).Bool("optional", e.From.Optional).Str("divisor", e.From.Divisor).Build())
            .Build())
        .Objects("envFrom", c.EnvFrom, e => new NodeBuilder().Enum("kind", e.Kind).Str("name", e.Name).Str("prefix", e.Prefix).Bool("optional", e.Optional).Build())
        .Str("user", c.User)
        .Str("workingDir", c.WorkingDir)
        .Objects("ports", c.Ports, p => new NodeBuilder().Int("port", p.Port).Str("protocol", p.Protocol).Str("name", p.Name).Build())
        .Objects("mounts", c.Mounts, m => new NodeBuilder()
            .Enum("type", m.Type).Str("source", m.Source).Str("target", m.Target).Bool("readOnly", m.ReadOnly).Str("subPath", m.SubPath)
            .Str("key", m.Key).Str("mode", m.Mode is null ? null : Compose.MountMapper.Octal(m.Mode.Value)).Str("uid", m.Uid).Str("gid", m.Gid)
            .Int("sizeBytes", m.SizeBytes).Bool("createHostPath", m.CreateHostPath).Str("propagation", m.Propagation).Bool("noCopy", m.NoCopy).Build())
        .Node("health", Probe(c.Health))
        .Node("liveness", Probe(c.Liveness))
        .Node("startup", Probe(c.Startup))
        .Node("resources", new NodeBuilder().Int("cpuLimitNano", c.Resources.CpuLimit).Int("memoryLimitBytes", c.Resources.MemoryLimit)
            .Int("cpuReservationNano", c.Resources.CpuReservation).Int("memoryReservationBytes", c.Resources.MemoryReservation)
            .Int("pidsLimit", c.Resources.PidsLimit).Int("shmSizeBytes", c.Resources.ShmSize)
            .Int("storageLimitBytes", c.Resources.StorageLimit).Int("storageReservationBytes", c.Resources.StorageReservation).Build())
        .Node("security", new NodeBuilder().Bool("privileged", c.Security.Privileged).Bool("readOnlyRootFilesystem", c.Security.ReadOnlyRootFilesystem)
            .Strings("capAdd", c.Security.CapAdd).Strings("capDrop", c.Security.CapDrop).Strings("securityOpt", c.Security.SecurityOpt)
            .Objects("devices", c.Security.Devices, d => new NodeBuilder().Str("hostPath", d.HostPath).Str("containerPath", d.ContainerPath).Str("permissions", d.Permissions).Build()).Build())
        .Bool("init", c.Init)
        .Bool("tty", c.Tty)
        .Bool("stdinOpen", c.StdinOpen)
        .Str("stopSignal", c.StopSignal)
        .Map("sysctls", c.Sysctls)
        .ObjectMap("ulimits", c.Ulimits, u => new NodeBuilder().Int("soft", u.Soft).Int("hard", u.Hard).Build())
        .Node("logging", c.Logging is null ? null : new NodeBuilder().Str("driver", c.Logging.Driver).Map("options", c.Logging.Options).Build())
        .Str("platform", c.Platform)
        .Bool("sidecar", c.Sidecar)
        .Build();

    private static YMapping? Probe(Probe? p) => p is null ? null : new NodeBuilder()
        .Node("action", new NodeBuilder()
            .Enum("kind", p.Action.Kind)
            .OptionalStrings("command", p.Action.Kind is ProbeKind.Exec or ProbeKind.Shell ? p.Action.Command : (ValueList<string>?)null)
            .Str("path", p.Action.Path).Int("port", p.Action.Port).Str("portName", p.Action.PortName).Str("scheme", p.Action.Scheme)
            .Str("host", p.Action.Host).Map("headers", p.Action.Headers).Str("grpcService", p.Action.GrpcService).Build())
        .Duration("initialDelay", p.InitialDelay)
        .Duration("interval", p.Interval)
        .Duration("timeout", p.Timeout)
        .Int("successThreshold", p.SuccessThreshold)
        .Int("failureThreshold", p.FailureThreshold)
        .Duration("startPeriod", p.StartPeriod)
        .Duration("startInterval", p.StartInterval)
        .Build();

    private static YMapping Route(Route r) => new NodeBuilder()
        .Enum("type", r.Type)
        .Str("requestedType", r.RequestedType)
        .Map("labels", r.Labels)
        .Map("selector", r.Selector)
        .Strings("backends", r.Backends)
        .Objects("ports", r.Ports, p => new NodeBuilder().Str("name", p.Name).Int("port", p.Port).Str("protocol", p.Protocol)
            .Str("targetPort", p.TargetPort).Int("nodePort", p.NodePort)
            .ObjectMap("resolved", p.Resolved, v => NodeBuilder.Number(v)).Build())
        .Str("sessionAffinity", r.SessionAffinity)
        .Build();

    private static YMapping Network(Network n) => new NodeBuilder()
        .Str("name", n.Name).Str("driver", n.Driver).Bool("external", n.External).Bool("internal", n.Internal)
        .Bool("attachable", n.Attachable).Bool("enableIpv6", n.EnableIpv6)
        .Objects("ipam", n.Ipam, p => new NodeBuilder().Str("subnet", p.Subnet).Str("gateway", p.Gateway).Str("ipRange", p.IpRange).Build())
        .Map("labels", n.Labels).Map("driverOptions", n.DriverOptions)
        .Build();

    private static YMapping Volume(Volume v) => new NodeBuilder()
        .Str("name", v.Name).Str("driver", v.Driver).Bool("external", v.External)
        .Map("driverOptions", v.DriverOptions).Map("labels", v.Labels).Node("claim", v.Claim is null ? null : Claim(v.Claim))
        .Build();

    private static YMapping Claim(ClaimSpec c) => new NodeBuilder()
        .Int("storageBytes", c.StorageBytes).Strings("accessModes", c.AccessModes).Str("storageClass", c.StorageClass).Str("volumeMode", c.VolumeMode)
        .Build();

    /// <summary>Secret values appear only as digests: never in clear, in any output.</summary>
    private static YMapping Secret(Secret s) => new NodeBuilder()
        .Str("name", s.Name).Bool("external", s.External).Str("type", s.Type)
        .Node("content", s.Content is null ? null : Masked(s.Content))
        .ObjectMap("data", s.Data, Masked)
        .Str("file", s.File).Str("environment", s.Environment).Map("labels", s.Labels)
        .Build();

    private static YMapping Masked(SecretValue v) => new NodeBuilder().Bool("masked", true).Str("digest", v.Digest).Build();

    private static YMapping Config(Config c) => new NodeBuilder()
        .Str("name", c.Name).Bool("external", c.External).Str("content", c.Content).Map("data", c.Data).Map("binaryData", c.BinaryData)
        .Str("file", c.File).Str("fileDigest", c.FileDigest).Str("environment", c.Environment).Map("labels", c.Labels)
        .Build();
}
