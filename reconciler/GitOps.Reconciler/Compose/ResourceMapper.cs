using System.Security.Cryptography;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// Top-level networks, volumes, secrets and configs of a Compose project. Secret and config files are read
/// at load time so a changed file changes the desired state; secret bytes stay inside <see cref="SecretValue"/>.
/// </summary>
internal static class ResourceMapper
{
    public static void Map(ComposeProject project, ApplicationBuilder app, LoadContext ctx)
    {
        var r = ctx.Reader;
        foreach (var e in r.Mapping(project.Root["networks"])?.Entries ?? [])
            app.Add(Network(e, project.Stack, ctx), e.Key);
        foreach (var e in r.Mapping(project.Root["volumes"])?.Entries ?? [])
            app.Add(Volume(e, ctx), e.Key);
        foreach (var e in r.Mapping(project.Root["secrets"])?.Entries ?? [])
            app.Add(Secret(e, project, ctx), e.Key);
        foreach (var e in r.Mapping(project.Root["configs"])?.Entries ?? [])
            app.Add(Config(e, project, ctx), e.Key);
    }

    public static Network DefaultNetwork(string key, bool stack) =>
        new(key, null, stack ? "overlay" : "bridge", false, false, false, false, default, default, default);

    private static (bool External, string? Name) External(YMapping? m, string kind, LoadContext ctx)
    {
        var r = ctx.Reader;
        var name = r.String(m?["name"]);
        switch (m?["external"])
        {
            case YMapping ext:
                var externalName = r.String(ext["name"]);
                if (name is not null && externalName is not null && name != externalName)
                    ctx.Diagnostics.Error(ext, $"{kind}.external.name and {kind}.name conflict; only use {kind}.name", "compose.external-name");
                return (true, name ?? externalName);
            case { } node:
                return (r.Bool(node) ?? false, name);
            default:
                return (false, name);
        }
    }

    private static Network Network(YEntry e, bool stack, LoadContext ctx)
    {
        var r = ctx.Reader;
        var m = r.Mapping(e.Value);
        var (external, name) = External(m, "network", ctx);
        var driver = r.String(m?["driver"]) ?? (stack ? "overlay" : "bridge");
        if (driver is not ("bridge" or "overlay" or "host" or "none") && !external)
            ctx.Unsupported(m!["driver"]!, $"network driver '{driver}' is not supported by gitops (bridge, overlay, host, none)");
        var pools = new List<IpamPool>();
        if (r.Mapping(m?["ipam"]) is { } ipam)
            foreach (var c in r.Sequence(ipam["config"])?.Items ?? [])
                if (r.Mapping(c) is { } pool) pools.Add(new IpamPool(r.String(pool["subnet"]), r.String(pool["gateway"]), r.String(pool["ip_range"])));
        return new Network(
            e.Key.Value, name, driver, external,
            r.Bool(m?["internal"]) ?? false,
            r.Bool(m?["attachable"]) ?? false,
            r.Bool(m?["enable_ipv6"]) ?? false,
            [.. pools],
            StringMap(m?["labels"], ctx),
            StringMap(m?["driver_opts"], ctx));
    }

    private static Volume Volume(YEntry e, LoadContext ctx)
    {
        var r = ctx.Reader;
        var m = r.Mapping(e.Value);
        var (external, name) = External(m, "volume", ctx);
        var driver = r.String(m?["driver"]) ?? "local";
        if (m?["driver"] is { } driverNode) ctx.Sources.Add($"volume/{e.Key.Value}/driver", driverNode);
        if (m?["driver_opts"] is YMapping opts) ctx.Sources.Add($"volume/{e.Key.Value}/driverOptions", (YNode?)opts["device"] ?? opts);
        if (driver != "local" && !external) ctx.Unsupported(m!["driver"]!, $"volume driver '{driver}' is not supported by gitops (local)");
        return new Volume(e.Key.Value, name, driver, external, StringMap(m?["driver_opts"], ctx), StringMap(m?["labels"], ctx), null);
    }

    private static Secret Secret(YEntry e, ComposeProject project, LoadContext ctx)
    {
        var r = ctx.Reader;
        var m = r.Mapping(e.Value);
        var (external, name) = External(m, "secret", ctx);
        var file = r.String(m?["file"]);
        var variable = r.String(m?["environment"]);
        SecretValue? content = null;
        if (file is not null && ctx.Paths.Read(file, project.RootDir, m!["file"]!.Mark, m["file"]!.Path, "secret file") is { } local)
        {
            try
            {
                content = SecretValue.FromBytes(File.ReadAllBytes(local));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not fatal: the secret may be provisioned on the target before apply. Said plainly, though.
                ctx.Diagnostics.Warning(m!["file"]!, $"cannot read secret file {file}; the secret has no value until that file exists", "compose.secret-file");
            }
        }
        else if (variable is not null)
        {
            if (project.Environment.Lookup(variable) is { } value) content = SecretValue.FromString(value);
            else ctx.Diagnostics.Warning(m!["environment"]!, $"variable {variable} is not set; the secret has no value", "compose.secret-env");
        }
        else if (!external && m?["content"] is null)
        {
            ctx.Diagnostics.Error(e.Key, $"secret '{e.Key.Value}' needs 'file', 'environment' or 'external'", "compose.secret");
        }
        return new Secret(e.Key.Value, name, external, content, default, file, variable, null, StringMap(m?["labels"], ctx));
    }

    private static Config Config(YEntry e, ComposeProject project, LoadContext ctx)
    {
        var r = ctx.Reader;
        var m = r.Mapping(e.Value);
        var (external, name) = External(m, "config", ctx);
        var file = r.String(m?["file"]);
        var variable = r.String(m?["environment"]);
        var content = r.String(m?["content"]);
        string? digest = null;
        if (file is not null && ctx.Paths.Read(file, project.RootDir, m!["file"]!.Mark, m["file"]!.Path, "config file") is { } local)
        {
            try
            {
                digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(local)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                ctx.Diagnostics.Warning(m!["file"]!, $"cannot read config file {file}; the config has no content until that file exists", "compose.config-file");
            }
        }
        else if (variable is not null)
        {
            content = project.Environment.Lookup(variable);
            if (content is null) ctx.Diagnostics.Warning(m!["environment"]!, $"variable {variable} is not set; the config is empty", "compose.config-env");
        }
        else if (!external && content is null)
        {
            ctx.Diagnostics.Error(e.Key, $"config '{e.Key.Value}' needs 'file', 'content', 'environment' or 'external'", "compose.config");
        }
        return new Config(e.Key.Value, name, external, content, default, default, file, digest, variable, StringMap(m?["labels"], ctx));
    }

    private static ValueMap<string> StringMap(YNode? node, LoadContext ctx) =>
        new((ctx.Reader.ListOrDict(node) ?? []).Select(kv => KeyValuePair.Create(kv.Key, kv.Value ?? "")));
}
