using System.Text.Json;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// A Compose service's privileges: <c>privileged</c>, <c>read_only</c>, <c>cap_add</c>/<c>cap_drop</c>,
/// <c>security_opt</c> and <c>devices</c>, each recorded with where it was written so a policy can refuse it at
/// its line. A seccomp profile named by file is read from the revision (docker compose reads it on the client
/// and sends its JSON), so an edited profile changes the spec.
/// </summary>
internal static class ComposeSecurity
{
    public static SecurityOptions Map(string name, YMapping svc, ComposeProject project, LoadContext ctx)
    {
        var r = ctx.Reader;
        ctx.Sources.Field(name, "privileged", svc["privileged"]);
        var capAdd = Capabilities(svc["cap_add"], "capAdd/", name, ctx);
        var capDrop = Capabilities(svc["cap_drop"], null, name, ctx);
        var opts = new List<string>();
        foreach (var item in r.Sequence(svc["security_opt"])?.Items ?? [])
        {
            if (r.String(item) is not { } opt) continue;
            var value = SecurityOpt(opt, item, project, ctx);
            if (value is null) continue;
            opts.Add(value);
            ctx.Sources.Field(name, "securityOpt/" + Policy.SecurityOpts.Split(value).Key, item);
        }
        return new SecurityOptions(r.Bool(svc["privileged"]) ?? false, r.Bool(svc["read_only"]) ?? false, capAdd, capDrop,
            [.. opts.Distinct().Order(StringComparer.Ordinal)])
        {
            Devices = Devices(name, svc["devices"], ctx),
        };
    }

    static ValueList<string> Capabilities(YNode? node, string? field, string name, LoadContext ctx)
    {
        var caps = new List<string>();
        foreach (var item in ctx.Reader.Sequence(node)?.Items ?? [])
        {
            if (ctx.Reader.String(item) is not { } text) continue;
            var cap = text.ToUpperInvariant();
            if (cap.StartsWith("CAP_", StringComparison.Ordinal) && cap != "CAP_ALL") cap = cap[4..];
            caps.Add(cap);
            if (field is not null) ctx.Sources.Field(name, field + cap, item);
        }
        return [.. caps.Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>"seccomp:profile.json" becomes "seccomp=PROFILE-JSON" read from the revision; everything else is kept as written.</summary>
    static string? SecurityOpt(string opt, YNode node, ComposeProject project, LoadContext ctx)
    {
        var (key, value) = Policy.SecurityOpts.Split(opt);
        if (key != "seccomp" || value is null or "unconfined" or "builtin" || value.TrimStart().StartsWith('{')) return opt;
        if (ctx.Paths.Read(value, project.RootDir, node.Mark, node.Path, "seccomp profile") is not { } file) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer)) doc.RootElement.WriteTo(writer);
            return "seccomp=" + System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ctx.Diagnostics.Error(node, $"cannot read seccomp profile {value}: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}", "compose.seccomp");
        }
        catch (JsonException e)
        {
            ctx.Diagnostics.Error(node, $"seccomp profile {value} is not JSON: {e.Message}", "compose.seccomp");
        }
        return null;
    }

    /// <summary>Docker's HOST[:CONTAINER[:PERMISSIONS]] (the container path defaults to the host path, permissions to rwm), or the long form.</summary>
    static ValueList<Device> Devices(string name, YNode? node, LoadContext ctx)
    {
        var r = ctx.Reader;
        var devices = new List<Device>();
        foreach (var item in r.Sequence(node)?.Items ?? [])
        {
            Device? device = null;
            if (item is YMapping m)
            {
                if (r.String(m["source"]) is { } source)
                    device = new Device(source, r.String(m["target"]) ?? source, r.String(m["permissions"]) ?? "rwm");
                else ctx.Diagnostics.Error(item, "a device needs a 'source'", "compose.device");
            }
            else if (r.String(item) is { } text)
            {
                var parts = text.Split(':');
                var permissions = parts.Length > 1 && IsPermissions(parts[^1]) ? parts[^1] : null;
                var paths = permissions is null ? parts : parts[..^1];
                if (paths.Length is 0 or > 2 || paths.Any(p => !p.StartsWith('/')))
                    ctx.Diagnostics.Error(item, $"invalid device \"{text}\": expected HOST-PATH[:CONTAINER-PATH][:PERMISSIONS] with absolute paths", "compose.device");
                else device = new Device(paths[0], paths.Length > 1 ? paths[1] : paths[0], permissions ?? "rwm");
            }
            if (device is null) continue;
            ctx.Sources.Field(name, $"devices/{devices.Count}", item);
            devices.Add(device);
        }
        return [.. devices];
    }

    static bool IsPermissions(string text) => text.Length is > 0 and <= 3 && text.All(c => c is 'r' or 'w' or 'm');
}
