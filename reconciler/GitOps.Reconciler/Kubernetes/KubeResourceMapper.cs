using System.Text;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>Secret (base64 <c>data</c> and plain <c>stringData</c>, which wins), ConfigMap and PersistentVolumeClaim.</summary>
internal static class KubeResourceMapper
{
    public static Secret SecretOf(KubeObject obj, LoadContext ctx)
    {
        var r = ctx.Reader;
        var data = new Dictionary<string, SecretValue>(StringComparer.Ordinal);
        foreach (var e in r.Mapping(obj.Root["data"])?.Entries ?? [])
        {
            var text = e.Value is YScalar { IsNull: true } ? "" : (e.Value as YScalar)?.Value;
            try
            {
                data[e.Key.Value] = SecretValue.FromBytes(Convert.FromBase64String(text ?? throw new FormatException()));
            }
            catch (FormatException)
            {
                // Never echo the value: it is meant to be secret even when it is malformed.
                ctx.Diagnostics.Error(e.Value.Mark, e.Value.Path, $"data.{e.Key.Value} is not valid base64 (use stringData for plain text)", "k8s.secret-base64");
            }
        }
        foreach (var e in r.Mapping(obj.Root["stringData"])?.Entries ?? [])
        {
            var text = e.Value is YScalar s ? (s.IsNull ? "" : s.Value) : null;
            if (text is null) ctx.Diagnostics.Error(e.Value.Mark, e.Value.Path, $"stringData.{e.Key.Value} must be a string", "manifest.type");
            else data[e.Key.Value] = SecretValue.FromBytes(Encoding.UTF8.GetBytes(text));
        }
        return new Secret(obj.ModelName, null, false, null, new ValueMap<SecretValue>(data), null, null,
            r.String(obj.Root["type"]) ?? "Opaque", new ValueMap<string>(r.StringMap(obj.Metadata?["labels"]) ?? []));
    }

    public static Config ConfigOf(KubeObject obj, LoadContext ctx)
    {
        var r = ctx.Reader;
        return new Config(obj.ModelName, null, false, null,
            new ValueMap<string>(r.StringMap(obj.Root["data"]) ?? []),
            new ValueMap<string>(r.StringMap(obj.Root["binaryData"]) ?? []),
            null, null, null, new ValueMap<string>(r.StringMap(obj.Metadata?["labels"]) ?? []));
    }

    public static Volume ClaimOf(KubeObject obj, LoadContext ctx) =>
        new(obj.ModelName, null, "local", false, default, new ValueMap<string>(ctx.Reader.StringMap(obj.Metadata?["labels"]) ?? []), Claim(obj.Spec, ctx));

    public static ClaimSpec Claim(YMapping? spec, LoadContext ctx)
    {
        var r = ctx.Reader;
        long? storage = null;
        if ((r.Mapping(r.Mapping(spec?["resources"])?["requests"]))?["storage"] is YScalar { IsNull: false } s)
        {
            if (Quantity.TryParseBytes(s.Value, out var bytes)) storage = bytes;
            else ctx.Diagnostics.Error(s, $"expected a quantity such as 1Gi, got {NodeReader.Describe(s)}", "k8s.quantity");
        }
        return new ClaimSpec(storage, [.. (r.StringList(spec?["accessModes"]) ?? []).Distinct().Order(StringComparer.Ordinal)], r.String(spec?["storageClassName"]), r.String(spec?["volumeMode"]));
    }
}
