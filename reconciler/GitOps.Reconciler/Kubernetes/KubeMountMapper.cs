using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// A container's volumeMounts, resolved through the pod's volumes: persistentVolumeClaim, secret, configMap,
/// emptyDir (scratch space shared by the pod's containers; medium Memory is a tmpfs), hostPath, and a
/// StatefulSet's claim templates. Other volume types are kept as Unsupported mounts and reported. A volume
/// with nothing but a name is an emptyDir, as the API server defaults it.
/// </summary>
internal static class KubeMountMapper
{
    public const int DefaultVolumeFileMode = 0x1A4; // 0644, Kubernetes' defaultMode

    public static List<Mount> Map(YMapping container, IReadOnlyDictionary<string, PodVolume> volumes, IReadOnlySet<string> claimTemplates, LoadContext ctx)
    {
        var r = ctx.Reader;
        var mounts = new List<Mount>();
        foreach (var item in r.Sequence(container["volumeMounts"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } vm) continue;
            var name = r.String(vm["name"]) ?? "";
            var target = r.String(vm["mountPath"]) ?? "";
            var readOnly = r.Bool(vm["readOnly"]) ?? false;
            var subPath = r.String(vm["subPath"]);
            var propagation = r.String(vm["mountPropagation"]);
            if (claimTemplates.Contains(name))
            {
                mounts.Add(new Mount(MountType.ClaimTemplate, name, target, readOnly, subPath, null, null, null, null, null, false, propagation, false));
                continue;
            }
            if (!volumes.TryGetValue(name, out var volume))
            {
                ctx.Diagnostics.Error(vm["name"] ?? vm, $"volumeMount refers to undefined volume '{name}'", "k8s.undefined-volume");
                continue;
            }
            var src = volume.Source;
            switch (volume.Kind)
            {
                case "persistentVolumeClaim":
                    mounts.Add(new Mount(MountType.Volume, r.String(src["claimName"]), target, readOnly || (r.Bool(src["readOnly"]) ?? false), subPath, null, null, null, null, null, false, propagation, false));
                    break;
                case "secret" or "configMap":
                {
                    var type = volume.Kind == "secret" ? MountType.Secret : MountType.Config;
                    var source = r.String(src[volume.Kind == "secret" ? "secretName" : "name"]);
                    var defaultMode = r.Int(src["defaultMode"], 0, 0xFFF) ?? DefaultVolumeFileMode;
                    var items = r.Sequence(src["items"]);
                    if (items is null || items.Count == 0)
                    {
                        mounts.Add(new Mount(type, source, target, true, subPath, null, defaultMode, null, null, null, false, propagation, false));
                        break;
                    }
                    foreach (var it in items.Items)
                    {
                        if (r.Mapping(it) is not { } im) continue;
                        var key = r.String(im["key"]);
                        var path = r.String(im["path"]) ?? key ?? "";
                        var file = subPath is null ? target.TrimEnd('/') + "/" + path : target;
                        if (subPath is not null && subPath != path) continue; // subPath picks one projected file
                        mounts.Add(new Mount(type, source, file, true, null, key, r.Int(im["mode"], 0, 0xFFF) ?? defaultMode, null, null, null, false, propagation, false));
                    }
                    break;
                }
                case "emptyDir":
                {
                    var memory = r.String(src["medium"]) == "Memory";
                    long? size = null;
                    if (src["sizeLimit"] is YScalar { IsNull: false } sl)
                    {
                        if (Quantity.TryParseBytes(sl.Value, out var bytes)) size = bytes;
                        else ctx.Diagnostics.Error(sl, $"expected a quantity such as 1Gi, got {NodeReader.Describe(sl)}", "k8s.quantity");
                    }
                    mounts.Add(new Mount(memory ? MountType.Tmpfs : MountType.Ephemeral, volume.Name, target, readOnly, subPath, null, null, null, null, size, false, propagation, false));
                    break;
                }
                case "hostPath":
                {
                    var hostType = r.String(src["type"]) ?? "";
                    mounts.Add(new Mount(MountType.Bind, r.String(src["path"]), target, readOnly, subPath, null, null, null, null, null,
                        CreateHostPath: hostType is "DirectoryOrCreate" or "FileOrCreate", propagation, false));
                    break;
                }
                default:
                    mounts.Add(new Mount(MountType.Unsupported, volume.Kind + ":" + volume.Name, target, readOnly, subPath, null, null, null, null, null, false, propagation, false));
                    break;
            }
        }
        return mounts;
    }

    /// <summary>The pod's volumes by name; each must have exactly one source, unsupported ones are reported here once.</summary>
    public static Dictionary<string, PodVolume> Volumes(YMapping podSpec, LoadContext ctx)
    {
        var r = ctx.Reader;
        var result = new Dictionary<string, PodVolume>(StringComparer.Ordinal);
        foreach (var item in r.Sequence(podSpec["volumes"])?.Items ?? [])
        {
            if (r.Mapping(item) is not { } v) continue;
            var name = r.String(v["name"]) ?? "";
            var sources = v.Entries.Where(e => e.Key.Value != "name" && e.Value is YMapping).ToList();
            if (sources.Count == 0 && v.Entries.All(e => e.Key.Value == "name" || e.Value is YScalar { IsNull: true }))
            {
                // SetDefaults_Volume: a volume that names no source is an emptyDir.
                if (!result.TryAdd(name, new PodVolume(name, "emptyDir", YTree.EmptyMapping(v.Mark, NodePath.Key(v.Path, "emptyDir")), v)))
                    ctx.Diagnostics.Error(v["name"] ?? v, $"duplicate volume name '{name}'", "k8s.volume");
                continue;
            }
            if (sources.Count != 1)
            {
                ctx.Diagnostics.Error(v, $"volume '{name}' must have exactly one source (persistentVolumeClaim, secret, configMap, emptyDir, hostPath...)", "k8s.volume");
                continue;
            }
            var kind = sources[0].Key.Value;
            if (kind is not ("persistentVolumeClaim" or "secret" or "configMap" or "emptyDir" or "hostPath"))
                ctx.Unsupported(sources[0].Key, $"volume '{name}' of type {kind} is not supported by gitops (persistentVolumeClaim, secret, configMap, emptyDir, hostPath)", "k8s.unsupported-volume", "; containers mounting it cannot start");
            if (!result.TryAdd(name, new PodVolume(name, kind, (YMapping)sources[0].Value, v)))
                ctx.Diagnostics.Error(v["name"] ?? v, $"duplicate volume name '{name}'", "k8s.volume");
        }
        return result;
    }
}
