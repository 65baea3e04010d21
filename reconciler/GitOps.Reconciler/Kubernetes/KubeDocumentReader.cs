using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// Splits YAML (or JSON) documents into objects: empty documents are skipped, <c>kind: List</c> is
/// flattened, and a document without <c>kind</c> or <c>apiVersion</c> is an error in kubeconform's words
/// ("missing 'kind' key").
/// </summary>
internal static class KubeDocumentReader
{
    public static List<KubeObject> Read(IReadOnlyList<YamlDocument> documents, LoadContext ctx)
    {
        var result = new List<KubeObject>();
        foreach (var doc in documents)
        {
            if (doc.Root is null) continue;
            Add(doc.Root, "", result, ctx);
        }
        return result;
    }

    private static void Add(YNode node, string prefix, List<KubeObject> result, LoadContext ctx)
    {
        if (node is not YMapping map)
        {
            ctx.Diagnostics.Error(node.Mark, prefix, $"expected an object with apiVersion and kind, got {node.TypeName}", "k8s.object");
            return;
        }
        var kind = map["kind"] is YScalar { IsNull: false } k && k.Value.Length > 0 ? k.Value : null;
        var apiVersion = map["apiVersion"] is YScalar { IsNull: false } a && a.Value.Length > 0 ? a.Value : null;
        if (kind is null)
        {
            ctx.Diagnostics.Error((map["kind"] ?? map).Mark, map["kind"] is null ? prefix : NodePath.Key(prefix, "kind"), "missing 'kind' key", "k8s.missing-kind");
            return;
        }
        if (apiVersion is null)
        {
            ctx.Diagnostics.Error((map["apiVersion"] ?? map).Mark, map["apiVersion"] is null ? prefix : NodePath.Key(prefix, "apiVersion"), "missing 'apiVersion' key", "k8s.missing-apiversion");
            return;
        }
        if (kind == "List" && apiVersion == "v1")
        {
            var items = map["items"];
            if (items is null or YScalar { IsNull: true }) return;
            if (items is not YSequence seq)
            {
                ctx.Diagnostics.Error(items, $"expected a sequence of objects, got {items.TypeName}", "k8s.list");
                return;
            }
            for (var i = 0; i < seq.Count; i++) Add(seq.Items[i], NodePath.Index(NodePath.Key(prefix, "items"), i), result, ctx);
            return;
        }
        var metadata = map["metadata"] as YMapping;
        var name = (metadata?["name"] as YScalar)?.Value ?? (metadata?["generateName"] as YScalar)?.Value ?? "";
        var ns = metadata?["namespace"] is YScalar { IsNull: false } nsNode ? nsNode.Value : null;
        result.Add(new KubeObject(apiVersion, kind, name, ns, map, prefix));
    }
}
