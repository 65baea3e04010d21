using System.Globalization;
using System.Net;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Validation;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Configuration;

/// <summary>
/// Reads <c>gitops.yaml</c>: YAML with positions (the manifests' reader), the embedded JSON Schema for structure
/// and types (the manifests' validator), then <see cref="AppSpecValidator"/> per application and the rules
/// across the file. Never throws for bad input; returns no config as soon as one error was found, and every
/// finding either way, each at its file:line:col with a path such as <c>applications[1].interval</c>.
/// </summary>
internal static class DaemonConfigLoader
{
    public const string SchemaResource = "schemas/gitops-config.schema.json";

    public static (DaemonConfig? Config, IReadOnlyList<Diagnostic> Diagnostics) Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var bag = new DiagnosticBag();
            bag.Error(new SourceMark(path, 0, 0), "", $"cannot read the config file: {e.Message}", "config.read");
            return (null, bag.Sorted());
        }
        return Parse(path, text, Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/");
    }

    /// <summary>Parses config text as if read from <paramref name="file"/>; relative paths are taken against <paramref name="baseDirectory"/>.</summary>
    public static (DaemonConfig? Config, IReadOnlyList<Diagnostic> Diagnostics) Parse(string file, string text, string baseDirectory)
    {
        var bag = new DiagnosticBag();
        var documents = YamlReader.Read(file, text, bag);
        if (documents.Count > 1)
            bag.Error(documents[1].Start, "", "the config file holds one YAML document; remove the '---' and what follows or merge it", "config.documents");
        var root = documents.Count > 0 ? documents[0].Root : null;
        if (bag.HasErrors) return (null, bag.Sorted());
        if (root is null) return (DaemonConfig.Empty, bag.Sorted()); // an empty file: no apps, all defaults

        SchemaValidator.Validate(root, SchemaResource, bag);
        if (root is not YMapping map) return (null, bag.Sorted());
        var schemaFindings = bag;
        bag = new DiagnosticBag();

        var policies = ReadPolicies(map["policies"] as YMapping, bag);
        var defaults = ReadDefaults(map["defaults"] as YMapping, baseDirectory, bag);
        if (map["defaults"] is YMapping dm && dm["policy"] is YScalar { IsNull: false } dp)
        {
            if (PolicyExists(dp.Value, policies)) defaults = defaults with { Policy = dp.Value };
            else bag.Error(dp, UnknownPolicy(dp.Value, policies), "config.policy");
        }
        var webhook = ReadWebhook(map["webhook"] as YMapping, baseDirectory, bag);
        var telemetry = ReadTelemetry(map["telemetry"] as YMapping, bag);
        var apps = new List<AppSpec>();
        if (map["applications"] is YSequence list)
        {
            var names = new Dictionary<string, YNode>(StringComparer.Ordinal);
            foreach (var item in list.Items)
            {
                if (item is not YMapping appNode) continue; // the schema reported it
                var draft = ReadDraft(appNode);
                switch (appNode["policy"])
                {
                    case YScalar { IsNull: false } named when !PolicyExists(named.Value, policies):
                        bag.Error(named, UnknownPolicy(named.Value, policies), "config.policy");
                        break;
                    case YScalar { IsNull: false } named:
                        draft = draft with { Policy = named.Value };
                        break;
                    case YMapping inline:
                        draft = draft with { InlinePolicy = Policy.PolicyReader.Read($"{draft.Name ?? "app"} (inline)", inline, bag) };
                        break;
                }
                if (draft.Name is { } name && Scalar(appNode, "name") is { } nameNode)
                {
                    if (names.TryGetValue(name, out var first))
                        bag.Error(nameNode, $"application '{name}' is already defined at line {first.Mark.Line}; names must be unique", "config.duplicate");
                    else names[name] = nameNode;
                }
                var spec = AppSpecValidator.Validate(draft, defaults, Locator(appNode), bag, baseDirectory);
                if (spec is not null) apps.Add(spec);
            }
        }
        // The schema and the semantic checks can find the same mistake (jitter: 2, drift: fix): one finding per
        // position, the schema's, so each mistake is reported once.
        var taken = schemaFindings.Items.Select(d => (d.File, d.Line, d.Column)).ToHashSet();
        foreach (var d in bag.Items)
            if (d.Severity != Severity.Error || !taken.Contains((d.File, d.Line, d.Column))) schemaFindings.Add(d);
        if (schemaFindings.HasErrors) return (null, schemaFindings.Sorted());
        return (new DaemonConfig(apps, webhook, telemetry, defaults) { Policies = new Policy.PolicyCatalog(policies, defaults.Policy ?? Policy.SecurityPolicy.Restricted.Name) },
            schemaFindings.Sorted());
    }

    /// <summary>Named policies (<c>policies:</c>); a name may not hide a preset.</summary>
    private static Dictionary<string, Policy.SecurityPolicy> ReadPolicies(YMapping? node, DiagnosticBag bag)
    {
        var result = new Dictionary<string, Policy.SecurityPolicy>(StringComparer.Ordinal);
        foreach (var e in node?.Entries ?? [])
        {
            if (Policy.SecurityPolicy.Preset(e.Key.Value) is not null)
            {
                bag.Error(e.Key, $"'{e.Key.Value}' is a preset; give the policy another name and 'base: {e.Key.Value}'", "config.policy");
                continue;
            }
            if (!AppSpecValidator.IsValidName(e.Key.Value))
                bag.Error(e.Key, $"'{e.Key.Value}' is not a valid policy name: lower-case letters, digits, '_', '.' and '-', starting with a letter or digit", "config.policy");
            if (e.Value is YMapping m && Policy.PolicyReader.Read(e.Key.Value, m, bag) is { } policy) result[e.Key.Value] = policy;
        }
        return result;
    }

    private static bool PolicyExists(string name, IReadOnlyDictionary<string, Policy.SecurityPolicy> named) =>
        named.ContainsKey(name) || Policy.SecurityPolicy.Preset(name) is not null;

    private static string UnknownPolicy(string name, IReadOnlyDictionary<string, Policy.SecurityPolicy> named) =>
        $"no policy named '{name}' (presets: restricted, baseline, privileged{(named.Count > 0 ? "; policies: " + string.Join(", ", named.Keys.Order(StringComparer.Ordinal)) : "")})";

    /// <summary>Field names map onto the app's YAML nodes; a field that is not written points at the app itself.</summary>
    private static FieldLocator Locator(YMapping app) => field =>
    {
        var node = Find(app, field);
        return node is not null ? (node.Mark, node.Path) : (app.Mark, NodePath.Key(app.Path, field));
    };

    private static YNode? Find(YMapping app, string field)
    {
        YNode? node = app;
        foreach (var part in field.Split('.'))
        {
            var bracket = part.IndexOf('[');
            var key = bracket >= 0 ? part[..bracket] : part;
            node = (node as YMapping)?[key];
            if (bracket >= 0 && node is YSequence seq && int.TryParse(part[(bracket + 1)..^1], CultureInfo.InvariantCulture, out var index))
                node = index < seq.Count ? seq.Items[index] : null;
        }
        return node;
    }

    private static AppDraft ReadDraft(YMapping app)
    {
        var auth = app["auth"] as YMapping;
        return new AppDraft
        {
            Name = Text(app, "name"),
            Repo = Text(app, "repo"),
            Source = Text(app, "source"),
            Path = Text(app, "path"),
            Branch = Text(app, "branch"),
            Tag = Text(app, "tag"),
            Revision = Text(app, "revision"),
            Paths = app["paths"] is YSequence paths ? [.. paths.Items.OfType<YScalar>().Select(s => s.AsText())] : null,
            Interval = Text(app, "interval"),
            Jitter = Scalar(app, "jitter") is { } j && j.TryGetDouble(out var jitter) ? jitter : null,
            Cron = Text(app, "cron"),
            Project = Text(app, "project"),
            Prune = Bool(app, "prune"),
            PruneVolumes = Bool(app, "pruneVolumes"),
            SelfHeal = Bool(app, "selfHeal"),
            Drift = Text(app, "drift"),
            Username = auth is null ? null : Text(auth, "username"),
            TokenFile = auth is null ? null : Text(auth, "tokenFile"),
            SshKeyFile = auth is null ? null : Text(auth, "sshKeyFile"),
            KnownHostsFile = auth is null ? null : Text(auth, "knownHostsFile"),
        };
    }

    private static AppDefaults ReadDefaults(YMapping? node, string baseDirectory, DiagnosticBag bag)
    {
        if (node is null) return AppDefaults.Default;
        var d = AppDefaults.Default;
        var interval = d.Interval;
        if (Scalar(node, "interval") is { } i && !i.IsNull)
        {
            if (!AppSpecValidator.TryParseDuration(i.Value, out interval))
                bag.Error(i, $"'{i.Value}' is not a duration: write it like 30s, 1m30s or 2h, or as a number of seconds", "config.duration");
            else if (interval < AppSpecValidator.MinInterval)
                bag.Error(i, $"the interval must be at least 1s, got {i.Value}", "config.duration");
        }
        var drift = Text(node, "drift") switch { "heal" => DriftMode.Heal, _ => d.Drift };
        var jitter = Scalar(node, "jitter") is { } j && j.TryGetDouble(out var v) ? v : d.Jitter;
        return new AppDefaults(interval, jitter, Bool(node, "prune") ?? d.Prune, Bool(node, "pruneVolumes") ?? d.PruneVolumes, Bool(node, "selfHeal") ?? d.SelfHeal, drift);
    }

    private static WebhookConfig? ReadWebhook(YMapping? node, string baseDirectory, DiagnosticBag bag)
    {
        if (node is null) return null;
        IPEndPoint? endpoint = null;
        if (Scalar(node, "listen") is { } listen)
        {
            endpoint = ParseEndpoint(listen.AsText());
            if (endpoint is null)
                bag.Error(listen, $"'{listen.Value}' is not an address:port to listen on (e.g. 127.0.0.1:9595, [::]:9595, localhost:9595)", "config.listen");
        }
        string? secret = Text(node, "secret");
        if (Scalar(node, "secretFile") is { } fileNode && fileNode.AsText() is { Length: > 0 } file)
        {
            var full = Path.GetFullPath(file, baseDirectory);
            if (secret is not null) bag.Error(fileNode, "secret and secretFile are exclusive", "config.exclusive");
            else if (!File.Exists(full)) bag.Error(fileNode, $"secret file {full} does not exist", "config.missing-file");
            else
            {
                try
                {
                    secret = File.ReadAllText(full).TrimEnd('\r', '\n');
                    if (secret.Length == 0) bag.Error(fileNode, $"secret file {full} is empty", "config.secret");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    bag.Error(fileNode, $"cannot read secret file {full}: {e.Message}", "config.missing-file");
                }
            }
        }
        if (secret is null && endpoint is not null && !IPAddress.IsLoopback(endpoint.Address))
            bag.Warning(node.Mark, node.Path, "webhooks are accepted unsigned (no secret): anyone who reaches the port can trigger reconciles", "config.unsigned");
        return endpoint is null ? null : new WebhookConfig(endpoint, string.IsNullOrEmpty(secret) ? null : secret);
    }

    private static TelemetryConfig ReadTelemetry(YMapping? node, DiagnosticBag bag)
    {
        if (node is null) return TelemetryConfig.None;
        Uri? endpoint = null;
        if (Scalar(node, "otlpEndpoint") is { } e)
        {
            if (!Uri.TryCreate(e.AsText(), UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                bag.Error(e, $"'{e.Value}' is not an http(s) URL of an OTLP collector (e.g. http://127.0.0.1:4317)", "config.otlp");
                endpoint = null;
            }
        }
        return new TelemetryConfig(endpoint, Bool(node, "console") ?? false);
    }

    private static IPEndPoint? ParseEndpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0 && text[..colon] == "localhost" && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
            return new IPEndPoint(IPAddress.Loopback, port);
        // IPEndPoint.TryParse takes a bare address as port 0: a listener needs an explicit port.
        return IPEndPoint.TryParse(text, out var ep) && ep.Port > 0 && (text.EndsWith(":" + ep.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)) ? ep : null;
    }

    private static YScalar? Scalar(YMapping map, string key) => map[key] as YScalar;

    /// <summary>The text of a scalar; null when absent, null or not a scalar (the schema reported the type).</summary>
    private static string? Text(YMapping map, string key) => Scalar(map, key) is { IsNull: false } s ? s.Value : null;

    private static bool? Bool(YMapping map, string key) => Scalar(map, key) is { } s && s.TryGetBool(out var b) ? b : null;
}
