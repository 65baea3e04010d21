using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Swarm;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// A pod spec's placement: nodeSelector, nodeName, required node affinity, required pod anti-affinity and
/// tolerations, validated as the API server does (operators and their values, label keys, NoExecute-only
/// tolerationSeconds...). What gitops does not schedule by (preferred terms, pod affinity) is reported, never
/// dropped in silence.
/// </summary>
internal static class KubePlacementMapper
{
    public static Placement Map(YMapping spec, YMapping? metadata, LoadContext ctx)
    {
        var r = ctx.Reader;
        var selector = new Dictionary<string, string>(StringComparer.Ordinal);
        if (r.Mapping(spec["nodeSelector"]) is { } ns)
        {
            foreach (var e in ns.Entries)
            {
                if (r.String(e.Value) is not { } v) continue;
                if (!LabelSyntax.IsQualifiedName(e.Key.Value)) ctx.Diagnostics.Error(e.Key, $"'{e.Key.Value}' is not a valid label key", "k8s.node-selector");
                else if (!LabelSyntax.IsLabelValue(v)) ctx.Diagnostics.Error(e.Value, $"'{v}' is not a valid label value (at most 63 letters, digits, '-', '_', '.')", "k8s.node-selector");
                else selector[e.Key.Value] = v;
            }
        }
        var nodeName = r.String(spec["nodeName"]);
        if (nodeName is { Length: 0 }) nodeName = null;

        var affinity = r.Mapping(spec["affinity"]);
        var nodeAffinity = NodeAffinity(r.Mapping(affinity?["nodeAffinity"]), ctx);
        var antiAffinity = AntiAffinity(r.Mapping(affinity?["podAntiAffinity"]), ctx);
        if (affinity?["podAffinity"] is YMapping podAffinity && podAffinity.Count > 0)
            ctx.Unsupported(affinity.Entries.First(e => e.Key.Value == "podAffinity").Key, "podAffinity is not supported by gitops and is ignored (podAntiAffinity and nodeAffinity are)", "k8s.unsupported-field");
        foreach (var e in affinity?.Entries ?? [])
            if (e.Key.Value is not ("nodeAffinity" or "podAntiAffinity" or "podAffinity"))
                ctx.Unsupported(e.Key, $"'{e.Key.Value}' is not supported by gitops and is ignored", "k8s.unsupported-field");

        return new Placement(default, default, new ValueMap<string>(selector), nodeName, nodeAffinity, antiAffinity,
            Tolerations(r.Sequence(spec["tolerations"]), ctx), DataLossOptIn(metadata, ctx));
    }

    /// <summary>The <c>gitops.io/reschedule-with-data-loss</c> annotation of an object's metadata.</summary>
    public static bool DataLossOptIn(YMapping? metadata, LoadContext ctx) =>
        ctx.Reader.Mapping(metadata?["annotations"]) is { } annotations
        && SwarmPlacement.DataLossOptIn(annotations.Entries.Select(e => (e.Key.Value, (e.Value as YScalar)?.Value, (YNode)e.Value)), ctx);

    private static ValueList<NodeSelectorTerm> NodeAffinity(YMapping? nodeAffinity, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (nodeAffinity is null) return default;
        Preferred(nodeAffinity, "node affinity", ctx);
        var required = r.Mapping(nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"]);
        if (required is null) return default;
        var terms = new List<NodeSelectorTerm>();
        var items = r.Sequence(required["nodeSelectorTerms"]);
        if (items is null || items.Count == 0)
        {
            ctx.Diagnostics.Error(required["nodeSelectorTerms"] ?? required, "requiredDuringSchedulingIgnoredDuringExecution needs at least one node selector term", "k8s.node-affinity");
            return default;
        }
        foreach (var item in items.Items)
        {
            if (r.Mapping(item) is not { } term) continue;
            var expressions = Requirements(r.Sequence(term["matchExpressions"]), node: true, ctx);
            var fields = new List<SelectorRequirement>();
            foreach (var f in Requirements(r.Sequence(term["matchFields"]), node: true, ctx, out var nodes))
            {
                var at = nodes[fields.Count];
                if (f.Key != NodeSelectorTerm.NodeNameField)
                    ctx.Diagnostics.Error(at, $"matchFields only supports '{NodeSelectorTerm.NodeNameField}', not '{f.Key}'", "k8s.node-affinity");
                else if (f.Operator is not (SelectorOperator.In or SelectorOperator.NotIn) || f.Values.Count != 1)
                    ctx.Diagnostics.Error(at, "matchFields on metadata.name takes operator In or NotIn with exactly one value", "k8s.node-affinity");
                fields.Add(f);
            }
            terms.Add(new NodeSelectorTerm([.. expressions], [.. fields]));
        }
        return [.. terms];
    }

    private static ValueList<PodAffinityTerm> AntiAffinity(YMapping? anti, LoadContext ctx)
    {
        var r = ctx.Reader;
        if (anti is null) return default;
        Preferred(anti, "pod anti-affinity", ctx);
        var terms = new List<PodAffinityTerm>();
        foreach (var item in r.Sequence(anti["requiredDuringSchedulingIgnoredDuringExecution"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } term) continue;
            var topologyNode = term["topologyKey"];
            var topology = r.String(topologyNode);
            if (string.IsNullOrEmpty(topology) || !LabelSyntax.IsQualifiedName(topology))
            {
                ctx.Diagnostics.Error(topologyNode ?? term, "a pod anti-affinity term needs a topologyKey that is a label key, such as kubernetes.io/hostname", "k8s.anti-affinity");
                continue;
            }
            foreach (var key in new[] { "namespaces", "namespaceSelector", "matchLabelKeys", "mismatchLabelKeys" })
                if (term[key] is { } extra)
                    ctx.Unsupported(extra, $"'{key}' is ignored: anti-affinity terms apply to the pods of the application", "k8s.unsupported-field");
            if (r.Mapping(term["labelSelector"]) is not { } sel)
            {
                ctx.Diagnostics.Warning(term, "this anti-affinity term has no labelSelector, so it matches no pods and has no effect", "k8s.anti-affinity");
                continue;
            }
            var matchLabels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var e in r.Mapping(sel["matchLabels"])?.Entries ?? [])
            {
                if (r.String(e.Value) is not { } v) continue;
                if (!LabelSyntax.IsQualifiedName(e.Key.Value)) ctx.Diagnostics.Error(e.Key, $"'{e.Key.Value}' is not a valid label key", "k8s.selector");
                matchLabels[e.Key.Value] = v;
            }
            var expressions = Requirements(r.Sequence(sel["matchExpressions"]), node: false, ctx);
            terms.Add(new PodAffinityTerm(new PodSelector(new ValueMap<string>(matchLabels), [.. expressions]), topology));
        }
        return [.. terms];
    }

    private static ValueList<Toleration> Tolerations(YSequence? items, LoadContext ctx)
    {
        var r = ctx.Reader;
        var result = new List<Toleration>();
        foreach (var item in items?.Items ?? [])
        {
            if (r.Mapping(item) is not { } t) continue;
            var key = r.String(t["key"]);
            if (key is { Length: 0 }) key = null;
            var op = TolerationOperator.Equal;
            switch (r.String(t["operator"]))
            {
                case null or "" or "Equal": break;
                case "Exists": op = TolerationOperator.Exists; break;
                case var other:
                    ctx.Diagnostics.Error(t["operator"]!, $"expected one of 'Equal', 'Exists', got \"{other}\"", "manifest.enum");
                    break;
            }
            var value = r.String(t["value"]);
            if (value is { Length: 0 }) value = null;
            TaintEffect? effect = null;
            switch (r.String(t["effect"]))
            {
                case null or "": break;
                case "NoSchedule": effect = TaintEffect.NoSchedule; break;
                case "PreferNoSchedule": effect = TaintEffect.PreferNoSchedule; break;
                case "NoExecute": effect = TaintEffect.NoExecute; break;
                case var other:
                    ctx.Diagnostics.Error(t["effect"]!, $"expected one of 'NoSchedule', 'PreferNoSchedule', 'NoExecute', got \"{other}\"", "manifest.enum");
                    break;
            }
            var seconds = r.Long(t["tolerationSeconds"]);
            if (key is not null && !LabelSyntax.IsQualifiedName(key))
                ctx.Diagnostics.Error(t["key"]!, $"'{key}' is not a valid taint key", "k8s.toleration");
            if (key is null && op != TolerationOperator.Exists)
                ctx.Diagnostics.Error(t, "a toleration without a key must use operator Exists (it then tolerates every taint)", "k8s.toleration");
            if (op == TolerationOperator.Exists && value is not null)
                ctx.Diagnostics.Error(t["value"]!, "a toleration with operator Exists takes no value", "k8s.toleration");
            if (op == TolerationOperator.Equal && value is not null && !LabelSyntax.IsLabelValue(value))
                ctx.Diagnostics.Error(t["value"]!, $"'{value}' is not a valid taint value", "k8s.toleration");
            if (seconds is not null && effect != TaintEffect.NoExecute)
                ctx.Diagnostics.Error(t["tolerationSeconds"]!, "tolerationSeconds needs effect NoExecute", "k8s.toleration");
            result.Add(new Toleration(key, op, value, effect, seconds));
        }
        return [.. result];
    }

    private static List<SelectorRequirement> Requirements(YSequence? items, bool node, LoadContext ctx) => Requirements(items, node, ctx, out _);

    /// <summary>Selector expressions with the API server's rules: In/NotIn need values, Exists/DoesNotExist take none, Gt/Lt (node selectors only) one integer.</summary>
    private static List<SelectorRequirement> Requirements(YSequence? items, bool node, LoadContext ctx, out List<YNode> nodes)
    {
        var r = ctx.Reader;
        var result = new List<SelectorRequirement>();
        nodes = [];
        foreach (var item in items?.Items ?? [])
        {
            if (r.Mapping(item) is not { } e) continue;
            var key = r.String(e["key"]) ?? "";
            var opText = r.String(e["operator"]) ?? "";
            var values = r.StringList(e["values"]) ?? [];
            SelectorOperator op;
            switch (opText)
            {
                case "In": op = SelectorOperator.In; break;
                case "NotIn": op = SelectorOperator.NotIn; break;
                case "Exists": op = SelectorOperator.Exists; break;
                case "DoesNotExist": op = SelectorOperator.DoesNotExist; break;
                case "Gt" when node: op = SelectorOperator.Gt; break;
                case "Lt" when node: op = SelectorOperator.Lt; break;
                default:
                    ctx.Diagnostics.Error(e["operator"] ?? e, $"expected one of {(node ? "'In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'" : "'In', 'NotIn', 'Exists', 'DoesNotExist'")}, got \"{opText}\"", "manifest.enum");
                    continue;
            }
            if (key.Length == 0 || (key != NodeSelectorTerm.NodeNameField && !LabelSyntax.IsQualifiedName(key)))
                ctx.Diagnostics.Error(e["key"] ?? e, $"'{key}' is not a valid label key", "k8s.selector");
            var valuesAt = e["values"] ?? e;
            switch (op)
            {
                case SelectorOperator.In or SelectorOperator.NotIn when values.Count == 0:
                    ctx.Diagnostics.Error(valuesAt, $"operator {opText} needs at least one value", "k8s.selector");
                    break;
                case SelectorOperator.Exists or SelectorOperator.DoesNotExist when values.Count > 0:
                    ctx.Diagnostics.Error(valuesAt, $"operator {opText} takes no values", "k8s.selector");
                    break;
                case SelectorOperator.Gt or SelectorOperator.Lt when values.Count != 1 || SelectorRequirement.Integer(values[0]) is null:
                    ctx.Diagnostics.Error(valuesAt, $"operator {opText} takes exactly one integer value", "k8s.selector");
                    break;
            }
            result.Add(new SelectorRequirement(key, op, [.. values]));
            nodes.Add(e);
        }
        return result;
    }

    private static void Preferred(YMapping affinity, string what, LoadContext ctx)
    {
        foreach (var e in affinity.Entries)
        {
            if (e.Key.Value == "requiredDuringSchedulingIgnoredDuringExecution") continue;
            var message = e.Key.Value == "preferredDuringSchedulingIgnoredDuringExecution"
                ? $"preferred {what} is not supported by gitops and is ignored (replicas of a service are spread across nodes by default)"
                : $"'{e.Key.Value}' is not supported by gitops and is ignored";
            ctx.Unsupported(e.Key, message, "k8s.unsupported-field");
        }
    }
}
