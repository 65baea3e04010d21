using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// The checks compose-go makes after loading (wording modelled on its messages): references to undeclared
/// networks, volumes, secrets and configs; dependencies on missing or disabled services; dependency cycles
/// ("dependency cycle detected: a -> b -> a"); mutually exclusive settings; a service with nothing to run.
/// </summary>
internal static class ComposeConsistency
{
    public static void Check(ComposeProject project, LoadContext ctx)
    {
        var r = ctx.Reader;
        var root = project.Root;
        var services = r.Mapping(root["services"]);
        if (services is null) return;
        var networks = Keys(root["networks"]);
        var volumes = Keys(root["volumes"]);
        var secrets = Keys(root["secrets"]);
        var configs = Keys(root["configs"]);

        foreach (var (name, svc) in services.Entries.Select(e => (e.Key.Value, e.Value)))
        {
            if (svc is not YMapping s) continue; // the schema has said what is wrong with it
            if (s["image"] is null or YScalar { IsNull: true })
            {
                if (project.Stack) ctx.Diagnostics.Error(s, $"service '{name}' has no image: a stack runs images and cannot build them", "stack.image");
                else if (s["build"] is null or YScalar { IsNull: true }) ctx.Diagnostics.Error(s, $"service '{name}' has neither an image nor a build context specified", "compose.image");
            }

            switch (s["networks"])
            {
                case YSequence seq:
                    foreach (var n in seq.Items.OfType<YScalar>())
                        if (!networks.Contains(n.Value) && n.Value != "default") Undefined(n, name, "network", n.Value, ctx);
                    break;
                case YMapping map:
                    foreach (var e in map.Entries)
                        if (!networks.Contains(e.Key.Value) && e.Key.Value != "default") Undefined(e.Key, name, "network", e.Key.Value, ctx);
                    break;
            }
            if (s["network_mode"] is YScalar { IsNull: false } mode)
            {
                if (s["networks"] is YSequence { Count: > 0 } or YMapping { Count: > 0 })
                    ctx.Diagnostics.Error(mode, $"service '{name}' declares mutually exclusive network_mode and networks", "compose.network-mode");
                if (mode.Value.StartsWith("service:", StringComparison.Ordinal) && services[mode.Value[8..]] is null)
                    ctx.Diagnostics.Error(mode, $"service '{name}' uses the network stack of undefined service '{mode.Value[8..]}'", "compose.undefined-service");
            }
            foreach (var item in r.Sequence(s["volumes"])?.Items ?? [])
            {
                string? source = null;
                YNode at = item;
                if (item is YScalar vs && VolumeSyntax.Parse(vs.Value, out _) is { Bind: false, Source: { } named }) source = named;
                else if (item is YMapping vm && (vm["type"] as YScalar)?.Value is null or "volume" && vm["source"] is YScalar { IsNull: false } src) { source = src.Value; at = src; }
                if (source is not null && !volumes.Contains(source)) Undefined(at, name, "volume", source, ctx);
            }
            CheckFileRefs(s["secrets"], secrets, name, "secret", ctx);
            CheckFileRefs(s["configs"], configs, name, "config", ctx);
            foreach (var vf in r.Sequence(s["volumes_from"])?.Items ?? [])
            {
                if (vf is not YScalar { IsNull: false } v) continue;
                var target = v.Value.StartsWith("container:", StringComparison.Ordinal) ? null : v.Value.StartsWith("service:", StringComparison.Ordinal) ? v.Value[8..] : v.Value.Split(':')[0];
                if (target is not null && services[target] is null) ctx.Diagnostics.Error(v, $"service '{name}' mounts volumes from undefined service '{target}'", "compose.undefined-service");
            }
            foreach (var (dep, node, required) in DependsOn(s["depends_on"]))
            {
                if (services[dep] is not null || !required) continue;
                if (project.Disabled.TryGetValue(dep, out var profiles))
                    ctx.Diagnostics.Error(node, $"service '{name}' depends on service '{dep}', which is not enabled (profiles: {string.Join(", ", profiles)})", "compose.disabled-service");
                else
                    ctx.Diagnostics.Error(node, $"service '{name}' depends on undefined service '{dep}'", "compose.undefined-service");
            }
        }
        Cycles(services, ctx);
    }

    private static void Undefined(YNode at, string service, string kind, string name, LoadContext ctx) =>
        ctx.Diagnostics.Error(at, $"service '{service}' refers to undefined {kind} '{name}'", "compose.undefined-" + kind);

    private static void CheckFileRefs(YNode? node, HashSet<string> declared, string service, string kind, LoadContext ctx)
    {
        if (node is not YSequence seq) return;
        foreach (var item in seq.Items)
        {
            var (source, at) = item switch
            {
                YScalar { IsNull: false } s => (s.Value, (YNode)s),
                YMapping m when m["source"] is YScalar { IsNull: false } src => (src.Value, src),
                _ => (null, item),
            };
            if (source is not null && !declared.Contains(source)) Undefined(at, service, kind, source, ctx);
        }
    }

    internal static IEnumerable<(string Name, YNode Node, bool Required)> DependsOn(YNode? node)
    {
        switch (node)
        {
            case YSequence seq:
                foreach (var item in seq.Items.OfType<YScalar>()) yield return (item.Value, item, true);
                break;
            case YMapping map:
                foreach (var e in map.Entries)
                {
                    var required = !((e.Value as YMapping)?["required"] is YScalar req && req.TryGetBool(out var b) && !b);
                    yield return (e.Key.Value, e.Key, required);
                }
                break;
        }
    }

    /// <summary>Depth-first over services in name order, so the reported cycle is the same on every run.</summary>
    private static void Cycles(YMapping services, LoadContext ctx)
    {
        var edges = services.Entries.ToDictionary(
            e => e.Key.Value,
            e => DependsOn((e.Value as YMapping)?["depends_on"]).Where(d => services[d.Name] is not null).ToList(),
            StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var stack = new List<string>();
        var reported = new HashSet<string>(StringComparer.Ordinal);

        void Visit(string node)
        {
            state[node] = 1;
            stack.Add(node);
            foreach (var (dep, at, _) in edges[node])
            {
                if (state.GetValueOrDefault(dep) == 1)
                {
                    var cycle = stack.SkipWhile(s => s != dep).Append(dep).ToList();
                    var key = string.Join(",", cycle.Skip(1).Order(StringComparer.Ordinal));
                    if (reported.Add(key))
                        ctx.Diagnostics.Error(at, "dependency cycle detected: " + string.Join(" -> ", cycle), "compose.dependency-cycle");
                }
                else if (state.GetValueOrDefault(dep) == 0) Visit(dep);
            }
            stack.RemoveAt(stack.Count - 1);
            state[node] = 2;
        }

        foreach (var name in edges.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(name) == 0) Visit(name);
    }

    private static HashSet<string> Keys(YNode? node) =>
        node is YMapping m ? new HashSet<string>(m.Keys, StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);
}
