using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Validation;

/// <summary>
/// Checks across the whole application, whatever the formats: one node port published twice, references of
/// Kubernetes workloads to Secrets, ConfigMaps and claims (a missing object is a warning — it may be created
/// outside Git, as secrets should be — but a missing key of an object that is here is an error), and
/// service_healthy on a service that declares no health check; and whether every replica can publish its ports.
/// </summary>
internal static class SemanticValidator
{
    public static void Check(ApplicationBuilder app, LoadContext ctx)
    {
        PublishedPorts(app, ctx);
        foreach (var service in app.Services.Values)
        {
            ctx.Diagnostics.AddRange(ReplicaPortCheck.Check(service, Publishing.Replicas(service), ctx.Sources));
            ctx.Sources.TryGet(SourceMap.Service(service.Name), out var at, out var path);
            if (service.Format == SourceFormat.Kubernetes) KubernetesReferences(service, app, at, path, ctx);
            foreach (var dep in service.DependsOn.Where(d => d.Condition == DependencyCondition.Healthy))
            {
                if (app.Services.TryGetValue(dep.Service, out var target) && target.Template.Containers.All(c => c.Health is null))
                    ctx.Diagnostics.Warning(at, path, $"service '{service.Name}' waits for '{dep.Service}' to be healthy, but '{dep.Service}' declares no healthcheck (the image's HEALTHCHECK must provide one)", "semantic.healthcheck");
            }
        }
    }

    /// <summary>Every published port binds the node's port: the same (address, port, protocol) twice cannot work.</summary>
    private static void PublishedPorts(ApplicationBuilder app, LoadContext ctx)
    {
        var used = new Dictionary<(string Ip, int Port, string Protocol), string>();
        void Claim(string? ip, int port, string protocol, string owner, string sourceKey)
        {
            ctx.Sources.TryGet(sourceKey, out var mark, out var path);
            foreach (var key in Keys(ip ?? "", port, protocol))
            {
                if (used.TryGetValue(key, out var other))
                {
                    ctx.Diagnostics.Error(mark, path, $"published port {port}/{protocol} is already used by {other}", "semantic.duplicate-port");
                    return;
                }
            }
            used[(ip ?? "", port, protocol)] = owner;
        }

        foreach (var service in app.Services.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            for (var i = 0; i < service.Ports.Count; i++)
                foreach (var published in Publishing.HostPorts(service, service.Ports[i], Publishing.Replicas(service)).Where(p => p > 0))
                    Claim(service.Ports[i].HostIp, published, service.Ports[i].Protocol, $"service '{service.Name}'", SourceMap.PublishedPort(service.Name, i));
        foreach (var route in app.Routes.Values.OrderBy(r => r.Name, StringComparer.Ordinal))
            for (var i = 0; i < route.Ports.Count; i++)
                if (route.Ports[i].NodePort is { } nodePort)
                    Claim(null, nodePort, route.Ports[i].Protocol, $"route '{route.Name}'", SourceMap.RoutePort(route.Name, i));
    }

    /// <summary>A wildcard address conflicts with every address; a specific one with itself and the wildcard.</summary>
    private static IEnumerable<(string, int, string)> Keys(string ip, int port, string protocol)
    {
        yield return (ip, port, protocol);
        if (ip.Length > 0) yield return ("", port, protocol);
        else
            foreach (var any in new[] { "0.0.0.0", "::" }) yield return (any, port, protocol);
    }

    private static void KubernetesReferences(Service service, ApplicationBuilder app, SourceMark at, string path, LoadContext ctx)
    {
        var ns = service.Name.Contains('.', StringComparison.Ordinal) ? service.Name[(service.Name.IndexOf('.', StringComparison.Ordinal) + 1)..] : null;
        string Qualified(string name) => Kubernetes.KubeNames.Qualify(name, ns);

        foreach (var container in service.Template.Containers.Concat(service.Template.InitContainers))
        {
            foreach (var env in container.Env.Where(e => e.From is { Kind: EnvSourceKind.SecretKey or EnvSourceKind.ConfigKey }))
            {
                var from = env.From!;
                var secret = from.Kind == EnvSourceKind.SecretKey;
                KeyReference(secret, Qualified(from.Name), from.Key, from.Optional, $"env {env.Name} of container '{container.Name}'");
            }
            foreach (var ef in container.EnvFrom)
                KeyReference(ef.Kind == EnvFromKind.Secret, Qualified(ef.Name), null, ef.Optional, $"envFrom of container '{container.Name}'");
            foreach (var mount in container.Mounts)
            {
                switch (mount.Type)
                {
                    case MountType.Volume when mount.Source is { } claim && !app.Volumes.ContainsKey(Qualified(claim)):
                        ctx.Diagnostics.Warning(at, path, $"{service.Kind} '{service.Name}' mounts PersistentVolumeClaim '{claim}', which is not declared in this application; it must exist on the target", "semantic.undeclared-claim");
                        break;
                    case MountType.Secret or MountType.Config when mount.Source is { } name:
                        KeyReference(mount.Type == MountType.Secret, Qualified(name), mount.Key, false, $"volume mounted at {mount.Target}");
                        break;
                }
            }
        }

        void KeyReference(bool secret, string name, string? key, bool optional, string what)
        {
            var kind = secret ? "Secret" : "ConfigMap";
            IEnumerable<string>? keys = secret
                ? app.Secrets.TryGetValue(name, out var s) ? s.Data.Keys : null
                : app.Configs.TryGetValue(name, out var c) ? c.Data.Keys.Concat(c.BinaryData.Keys) : null;
            if (keys is null)
            {
                if (!optional) ctx.Diagnostics.Warning(at, path, $"{what} of '{service.Name}' uses {kind} '{name}', which is not declared in this application; it must exist on the target", "semantic.undeclared-" + kind.ToLowerInvariant());
                return;
            }
            if (key is not null && !optional && !keys.Contains(key))
                ctx.Diagnostics.Error(at, path, $"{what} of '{service.Name}' uses key '{key}' of {kind} '{name}', which has no such key", "semantic.missing-key");
        }
    }
}
