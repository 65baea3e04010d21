using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Policy;

/// <summary>
/// Judges a loaded application against its <see cref="SecurityPolicy"/>: every field that asks for more than the
/// policy allows is an error at the position it was written (file:line:col), naming the policy and the rule, so
/// the revision is rejected as a whole exactly like a schema error and the running version keeps running.
/// Relative bind sources are checked against the revision's tree whatever the policy.
/// </summary>
internal static class PolicyChecker
{
    public static void Check(ApplicationBuilder app, LoadContext ctx)
    {
        var policy = ctx.Options.Policy;
        foreach (var service in app.Services.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            BindEscapes(service, ctx);
            if (policy is null) continue;
            var at = new Locator(service.Name, ctx.Sources);
            Pod(service, policy, at, ctx);
            foreach (var c in service.Template.Containers.Concat(service.Template.InitContainers))
                Container(service, c, policy, at, ctx);
            for (var i = 0; i < service.Ports.Count; i++)
                if (service.Ports[i].Published is { } port and > 0 && !policy.AllowsHostPort(port))
                {
                    ctx.Sources.TryGet(SourceMap.PublishedPort(service.Name, i), out var mark, out var path);
                    Error(ctx, policy, (mark, path), $"host port {port} not allowed (allowed host ports: {PolicyText.List(policy.HostPorts)})", "host-port");
                }
        }
        if (policy is null) return;
        foreach (var route in app.Routes.Values.OrderBy(r => r.Name, StringComparer.Ordinal))
            for (var i = 0; i < route.Ports.Count; i++)
                if (route.Ports[i].NodePort is { } port and > 0 && !policy.AllowsHostPort(port))
                {
                    ctx.Sources.TryGet(SourceMap.RoutePort(route.Name, i), out var mark, out var path);
                    Error(ctx, policy, (mark, path), $"nodePort {port} not allowed (allowed host ports: {PolicyText.List(policy.HostPorts)})", "host-port");
                }
        foreach (var volume in app.Volumes.Values.Where(v => !v.External).OrderBy(v => v.Key, StringComparer.Ordinal))
            Volume(volume, policy, ctx);
        ResourceTotals.Check(app.Services.Values, policy, ctx);
    }

    static void Pod(Service s, SecurityPolicy policy, Locator at, LoadContext ctx)
    {
        var t = s.Template;
        if (t.NetworkMode.Kind == NetworkModeKind.Host && !policy.HostNetwork)
            Error(ctx, policy, at.Pod("networkMode"), "the host's network namespace not allowed (hostNetwork: false)", "host-network");
        if (t.NetworkMode.Kind == NetworkModeKind.Container && !policy.ForeignNamespaces)
            Error(ctx, policy, at.Pod("networkMode"), $"joining the network namespace of container {t.NetworkMode.Target}, which is not part of the application, not allowed (foreignNamespaces: false)", "foreign-namespace");
        Namespace(t.Pid, "PID", policy.HostPid, "hostPID", "pid", "host-pid");
        Namespace(t.Ipc, "IPC", policy.HostIpc, "hostIPC", "ipc", "host-ipc");
        foreach (var from in t.VolumesFrom)
            if (from.StartsWith("container:", StringComparison.Ordinal) && !policy.ForeignNamespaces)
                Error(ctx, policy, at.Pod("volumesFrom"), $"volumes_from {from}: a container outside the application, not allowed (foreignNamespaces: false)", "foreign-namespace");

        void Namespace(string? mode, string kind, bool allowed, string rule, string field, string code)
        {
            if (mode == "host" && !allowed)
                Error(ctx, policy, at.Pod(field), $"the host's {kind} namespace not allowed ({rule}: false)", code);
            else if (mode?.StartsWith("container:", StringComparison.Ordinal) == true && !policy.ForeignNamespaces)
                Error(ctx, policy, at.Pod(field), $"joining the {kind} namespace of {mode[10..]}, a container outside the application, not allowed (foreignNamespaces: false)", "foreign-namespace");
        }
    }

    static void Container(Service s, Container c, SecurityPolicy policy, Locator at, LoadContext ctx)
    {
        var sec = c.Security;
        if (sec.Privileged && !policy.Privileged)
            Error(ctx, policy, at.Of(c.Name, "privileged"), "privileged containers not allowed (privileged: false)", "privileged");
        foreach (var cap in sec.CapAdd)
            if (!policy.AllowsCapability(cap))
                Error(ctx, policy, at.Of(c.Name, "capAdd/" + cap), $"capability {cap} may not be added (allowed capabilities: {PolicyText.List(policy.AllowedCapabilities)})", "capability");
        foreach (var opt in sec.SecurityOpt)
            if (!policy.Unconfined && SecurityOpts.Unconfines(opt) is { } why)
                Error(ctx, policy, at.Of(c.Name, "securityOpt/" + SecurityOpts.Split(opt).Key), $"{why} not allowed (unconfined: false)", "unconfined");
        for (var i = 0; i < sec.Devices.Count; i++)
            if (!policy.AllowsDevice(sec.Devices[i].HostPath))
                Error(ctx, policy, at.Of(c.Name, $"devices/{i}"), $"device {sec.Devices[i].HostPath} not allowed (allowed devices: {PolicyText.List(policy.AllowedDevices)})", "device");
        foreach (var m in c.Mounts.Where(m => m.Type == MountType.Bind && m.Source is not null))
        {
            if (!IsHostPath(m.Source!)) continue;
            var host = HostPaths.Expand(m.Source!);
            if (m.SubPath is { Length: > 0 } sub) host = Path.Combine(host, sub);
            var what = s.Format == SourceFormat.Kubernetes ? "hostPath" : "bind mount";
            if (HostPaths.Refusal(policy, host, m.ReadOnly) is { } reason)
                Error(ctx, policy, at.Of(c.Name, "mounts/" + m.Target), $"{what} {host} {reason}", "host-path");
        }
        if (c.Build is null && c.Image.Length > 0 && !policy.AllowsImage(c.Image))
            Error(ctx, policy, at.Of(c.Name, "image"), $"image {c.Image} not allowed (allowed images: {PolicyText.List(policy.AllowedImages)})", "image");
    }

    /// <summary>A relative bind source names the revision's files: it must stay in the tree (symlinks included), whatever the policy.</summary>
    static void BindEscapes(Service s, LoadContext ctx)
    {
        if (ctx.Paths.Root is null || ctx.AppDirectory is null) return;
        var at = new Locator(s.Name, ctx.Sources);
        foreach (var c in s.Template.Containers.Concat(s.Template.InitContainers))
            foreach (var m in c.Mounts.Where(m => m.Type == MountType.Bind && m.Source is { } src && !IsHostPath(src)))
            {
                var source = m.SubPath is { Length: > 0 } sub ? Path.Combine(m.Source!, sub) : m.Source!;
                if (ctx.Paths.Escape(source, ctx.AppDirectory) is { } error)
                {
                    var (mark, path) = at.Of(c.Name, "mounts/" + m.Target);
                    ctx.Diagnostics.Error(mark, path, $"bind source {source}: {error}", "path.escape");
                }
            }
    }

    static void Volume(Volume v, SecurityPolicy policy, LoadContext ctx)
    {
        (SourceMark, string) At(string field)
        {
            if (ctx.Sources.TryGet($"volume/{v.Key}/{field}", out var m, out var p) || ctx.Sources.TryGet(SourceMap.Resource("volume", v.Key), out m, out p)) return (m, p);
            return (SourceMark.None, "volumes." + v.Key);
        }
        if (!policy.AllowsVolumeDriver(v.Driver))
            Error(ctx, policy, At("driver"), $"volume {v.Key}: driver {v.Driver} not allowed (allowed volume drivers: {PolicyText.List(policy.AllowedVolumeDrivers)})", "volume-driver");
        var o = v.DriverOptions.TryGetValue("o", out var options) ? options.Split(',', StringSplitOptions.TrimEntries) : [];
        var type = v.DriverOptions.TryGetValue("type", out var t) ? t : null;
        if (type == "none" || o.Contains("bind") || o.Contains("rbind"))
        {
            // A local volume with a bind is a host path under another name (docker volume create -o o=bind -o device=/etc).
            var device = v.DriverOptions.TryGetValue("device", out var d) ? d : "";
            var host = device.Length > 0 && IsHostPath(device) ? HostPaths.Expand(device) : null;
            if (host is null)
                Error(ctx, policy, At("driverOptions"), $"volume {v.Key}: a bind needs an absolute device path, got '{device}'", "host-path");
            else if (HostPaths.Refusal(policy, host, o.Contains("ro")) is { } reason)
                Error(ctx, policy, At("driverOptions"), $"volume {v.Key} binds host path {host}: {reason}", "host-path");
        }
        else if (type is not null && !policy.AllowsVolumeType(type))
            Error(ctx, policy, At("driverOptions"), $"volume {v.Key}: filesystem type {type} not allowed (allowed volume types: {PolicyText.List(policy.AllowedVolumeTypes)})", "volume-type");
    }

    static bool IsHostPath(string source) => Path.IsPathRooted(source) || source.StartsWith('~');

    public static void Error(LoadContext ctx, SecurityPolicy policy, (SourceMark Mark, string Path) at, string message, string code) =>
        ctx.Diagnostics.Error(at.Mark, at.Path, $"policy {policy.Name}: {message}", "policy." + code);

    /// <summary>Where a service's field was written, falling back to the container, then to the service's declaration.</summary>
    internal readonly struct Locator(string service, SourceMap sources)
    {
        public (SourceMark, string) Of(string container, string field) =>
            sources.TryGet(SourceMap.Field(service, container, field), out var m, out var p) ? (m, p) : Pod(field);

        public (SourceMark, string) Pod(string field)
        {
            if (sources.TryGet(SourceMap.Field(service, null, field), out var m, out var p)) return (m, p);
            sources.TryGet(SourceMap.Service(service), out m, out p);
            return (m, p);
        }
    }
}
