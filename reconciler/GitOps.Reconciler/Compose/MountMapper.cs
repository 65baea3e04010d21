using System.Globalization;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// A Compose service's <c>volumes</c> (short and long syntax), <c>tmpfs</c>, <c>secrets</c> and <c>configs</c> as
/// mounts. Secrets default to <c>/run/secrets/NAME</c>, configs to <c>/NAME</c>, both read-only, owned by root,
/// mode 0444 (Docker's defaults, written out so an explicit default equals an omitted one).
/// </summary>
internal static class MountMapper
{
    public const int DefaultFileMode = 0x124; // 0444

    public static List<Mount> Map(YMapping service, LoadContext ctx)
    {
        var r = ctx.Reader;
        var mounts = new List<Mount>();
        foreach (var item in r.Sequence(service["volumes"])?.Items ?? [])
        {
            var before = mounts.Count;
            if (item is YScalar { IsNull: false } s) Short(s, mounts, ctx);
            else if (r.Mapping(item) is { } m) Long(m, mounts, ctx);
            // A Compose service is its own container: its name is the scope's.
            for (var i = before; i < mounts.Count; i++) ctx.Sources.Field(ctx.Sources.Scope, "mounts/" + mounts[i].Target, item);
        }
        foreach (var t in r.StringList(service["tmpfs"], allowSingle: true) ?? [])
            mounts.Add(Tmpfs(t, service["tmpfs"]!, ctx));
        foreach (var item in r.Sequence(service["secrets"])?.Items ?? [])
            if (FileMount(item, MountType.Secret, "/run/secrets/", ctx) is { } m) mounts.Add(m);
        foreach (var item in r.Sequence(service["configs"])?.Items ?? [])
            if (FileMount(item, MountType.Config, "/", ctx) is { } m) mounts.Add(m);
        return mounts;
    }

    private static void Short(YScalar node, List<Mount> mounts, LoadContext ctx)
    {
        var spec = VolumeSyntax.Parse(node.Value, out var error);
        if (spec is null)
        {
            ctx.Diagnostics.Error(node, $"invalid volume \"{node.Value}\": {error}", "compose.volume");
            return;
        }
        var type = spec.Source is null ? MountType.Ephemeral : spec.Bind ? MountType.Bind : MountType.Volume;
        mounts.Add(new Mount(type, spec.Source, spec.Target, spec.ReadOnly, null, null, null, null, null, null,
            CreateHostPath: spec.Bind, spec.Propagation, spec.NoCopy));
    }

    private static void Long(YMapping m, List<Mount> mounts, LoadContext ctx)
    {
        var r = ctx.Reader;
        var typeText = r.String(m["type"]) ?? "volume";
        var source = r.String(m["source"]);
        var target = r.String(m["target"]);
        if (target is null)
        {
            ctx.Diagnostics.Error(m, "a volume needs a 'target'", "compose.volume");
            return;
        }
        var readOnly = r.Bool(m["read_only"]) ?? false;
        var bind = r.Mapping(m["bind"]);
        var volume = r.Mapping(m["volume"]);
        var tmpfs = r.Mapping(m["tmpfs"]);
        MountType type;
        switch (typeText)
        {
            case "volume": type = source is null ? MountType.Ephemeral : MountType.Volume; break;
            case "bind":
                type = MountType.Bind;
                if (source is null) { ctx.Diagnostics.Error(m, "a bind mount needs a 'source'", "compose.volume"); return; }
                break;
            case "tmpfs": type = MountType.Tmpfs; source = null; break;
            default:
                ctx.Unsupported(m["type"]!, $"volume type '{typeText}' is not supported by gitops");
                type = MountType.Unsupported;
                source = typeText + (source is null ? "" : ":" + source);
                break;
        }
        mounts.Add(new Mount(
            type, source, target, readOnly,
            r.String(volume?["subpath"]), null,
            type == MountType.Tmpfs ? r.Int(tmpfs?["mode"], 0) : null, null, null,
            type == MountType.Tmpfs ? r.Bytes(tmpfs?["size"]) : null,
            CreateHostPath: type == MountType.Bind && (r.Bool(bind?["create_host_path"]) ?? false),
            r.String(bind?["propagation"]),
            r.Bool(volume?["nocopy"]) ?? false));
    }

    /// <summary>Docker's --tmpfs syntax: <c>/run</c> or <c>/run:rw,size=64m,mode=1777</c>.</summary>
    private static Mount Tmpfs(string text, YNode node, LoadContext ctx)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var target = colon < 0 ? text : text[..colon];
        long? size = null;
        int? mode = null;
        var readOnly = false;
        if (colon >= 0)
        {
            foreach (var option in text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (option.StartsWith("size=", StringComparison.Ordinal) && Values.ByteSize.TryParse(option[5..], out var bytes)) size = bytes;
                else if (option.StartsWith("mode=", StringComparison.Ordinal) && TryOctal(option[5..], out var m)) mode = m;
                else if (option == "ro") readOnly = true;
                else if (option is "rw" or "noexec" or "exec" or "nosuid" or "suid" or "nodev" or "dev") { }
                else ctx.Diagnostics.Error(node, $"invalid tmpfs option '{option}' in \"{text}\"", "compose.tmpfs");
            }
        }
        return new Mount(MountType.Tmpfs, null, target, readOnly, null, null, mode, null, null, size, false, null, false);
    }

    private static Mount? FileMount(YNode item, MountType type, string defaultDir, LoadContext ctx)
    {
        var r = ctx.Reader;
        string? source;
        string? target = null;
        string? uid = null, gid = null;
        int? mode = null;
        switch (item)
        {
            case YScalar { IsNull: false } s:
                source = s.Value;
                break;
            case YMapping m:
                source = r.String(m["source"]);
                target = r.String(m["target"]);
                uid = r.String(m["uid"]);
                gid = r.String(m["gid"]);
                mode = Mode(m["mode"], ctx);
                break;
            default:
                ctx.Diagnostics.Error(item, $"expected a name or a mapping with 'source', got {item.TypeName}", "manifest.type");
                return null;
        }
        if (source is null)
        {
            ctx.Diagnostics.Error(item, "'source' is required", "manifest.required");
            return null;
        }
        target ??= source;
        if (!target.StartsWith('/')) target = defaultDir + target;
        return new Mount(type, source, target, ReadOnly: true, null, null, mode ?? DefaultFileMode, uid ?? "0", gid ?? "0", null, false, null, false);
    }

    /// <summary>File modes: YAML <c>0440</c> is already octal (Go's rules); a string "0440" is read as octal too.</summary>
    private static int? Mode(YNode? node, LoadContext ctx)
    {
        if (node is null or YScalar { IsNull: true }) return null;
        if (node is YScalar s)
        {
            if (s.Kind == ScalarKind.String && TryOctal(s.Value, out var octal)) return octal;
            if (s.TryGetInt64(out var v) && v is >= 0 and <= 0xFFF) return (int)v;
        }
        ctx.Diagnostics.Error(node, $"expected a file mode such as 0440, got {NodeReader.Describe(node)}", "manifest.mode");
        return null;
    }

    private static bool TryOctal(string text, out int mode)
    {
        mode = 0;
        var t = text.Trim();
        if (t.StartsWith("0o", StringComparison.Ordinal)) t = t[2..];
        if (t.Length == 0 || t.Any(c => c is < '0' or > '7')) return false;
        try
        {
            mode = System.Convert.ToInt32(t, 8);
        }
        catch (OverflowException)
        {
            return false;
        }
        return mode <= 0xFFF;
    }

    internal static string Octal(int mode) => "0" + System.Convert.ToString(mode, 8).PadLeft(3, '0').ToString(CultureInfo.InvariantCulture);
}
