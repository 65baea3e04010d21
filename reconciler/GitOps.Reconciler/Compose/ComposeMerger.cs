using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Compose;

/// <summary>
/// Merges Compose files (<c>-f a -f b</c>) and extended services by the spec's rules: mappings merge key by key,
/// sequences append, <c>command</c>/<c>entrypoint</c>/<c>healthcheck.test</c> are replaced, ports, volumes,
/// secrets and configs merge by their unique key, list-or-dict fields (environment, labels...) merge by
/// variable name whichever form each file used, and the tags <c>!reset</c> (remove) and <c>!override</c>
/// (replace without merging) win over all of that.
/// </summary>
internal static class ComposeMerger
{
    public const string ResetTag = "!reset";
    public const string OverrideTag = "!override";

    private static readonly HashSet<string> Replaced = ["command", "entrypoint"];
    private static readonly HashSet<string> ListOrDict = ["environment", "labels", "annotations", "sysctls", "extra_hosts"];
    private static readonly HashSet<string> Unique = ["ports", "volumes", "secrets", "configs"];

    /// <summary>Merges two whole files.</summary>
    public static YMapping MergeFiles(YMapping first, YMapping second)
    {
        // Below services.NAME the service rules apply; elsewhere plain mapping merge.
        return MergeMapping(first, second, (parentPath, key) =>
            parentPath.Length >= 2 && parentPath[0] == "services" ? ServiceRule(parentPath[2..], key) : Rule.Default, []);
    }

    /// <summary>Merges a service over the service it extends (or over the same service of an earlier file).</summary>
    public static YMapping MergeService(YMapping baseService, YMapping over) =>
        MergeMapping(baseService, over, ServiceRule, []);

    private static Rule ServiceRule(string[] parentPath, string key) => parentPath.Length == 0 ? ServiceField(key) : NestedServiceField(parentPath, key);

    /// <summary>Removes what <c>!reset</c> marked and drops the tags, once all merging is done.</summary>
    public static YNode Finish(YNode node) => node switch
    {
        YMapping map => map.WithEntries([.. map.Entries.Where(e => !e.Value.HasTag(ResetTag)).Select(e => e with { Value = Finish(e.Value) })]).Untagged(),
        YSequence seq => seq.WithItems([.. seq.Items.Where(i => !i.HasTag(ResetTag)).Select(Finish)]).Untagged(),
        YScalar s when s.Tag is ResetTag or OverrideTag => new YScalar(s.Value, s.Plain, s.Mark, s.Path),
        _ => node,
    };

    private enum Rule
    {
        Default,
        Replace,
        ListOrDict,
        DependsOn,
        Networks,
        UniquePorts,
        UniqueVolumes,
        UniqueSecrets,
        UniqueConfigs,
    }

    private static Rule ServiceField(string key) => key switch
    {
        _ when Replaced.Contains(key) => Rule.Replace,
        _ when ListOrDict.Contains(key) => Rule.ListOrDict,
        "depends_on" => Rule.DependsOn,
        "networks" => Rule.Networks,
        "ports" => Rule.UniquePorts,
        "volumes" => Rule.UniqueVolumes,
        "secrets" => Rule.UniqueSecrets,
        "configs" => Rule.UniqueConfigs,
        _ => Rule.Default,
    };

    private static Rule NestedServiceField(string[] parentPath, string key) => (parentPath[^1], key) switch
    {
        ("healthcheck", "test") => Rule.Replace,
        ("build", "args" or "labels") => Rule.ListOrDict,
        ("deploy", "labels") => Rule.ListOrDict,
        _ => Rule.Default,
    };

    private static YMapping MergeMapping(YMapping first, YMapping second, Func<string[], string, Rule> rules, string[] path)
    {
        var entries = new List<YEntry>(first.Entries);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++) index[entries[i].Key.Value] = i;
        var removed = new HashSet<int>();
        foreach (var e in second.Entries)
        {
            var key = e.Key.Value;
            if (!index.TryGetValue(key, out var at))
            {
                if (!e.Value.HasTag(ResetTag)) { index[key] = entries.Count; entries.Add(e); }
                continue;
            }
            if (e.Value.HasTag(ResetTag)) { removed.Add(at); continue; }
            removed.Remove(at);
            if (e.Value.HasTag(OverrideTag)) { entries[at] = e; continue; }
            string[] childPath = [.. path, key];
            entries[at] = e with { Value = MergeValue(entries[at].Value, e.Value, rules(path, key), rules, childPath) };
        }
        return first.WithEntries([.. entries.Where((_, i) => !removed.Contains(i))]);
    }

    private static YNode MergeValue(YNode first, YNode second, Rule rule, Func<string[], string, Rule> rules, string[] path)
    {
        switch (rule)
        {
            case Rule.Replace:
                return second;
            case Rule.ListOrDict:
                return MergeMapping(ToMapping(first, KeyValueEntry), ToMapping(second, KeyValueEntry), (_, _) => Rule.Replace, path);
            case Rule.DependsOn:
                return MergeMapping(ToMapping(first, DependsOnEntry), ToMapping(second, DependsOnEntry), (_, _) => Rule.Default, path);
            case Rule.Networks:
                return MergeMapping(ToMapping(first, NameEntry), ToMapping(second, NameEntry), (_, _) => Rule.Default, path);
            case Rule.UniquePorts or Rule.UniqueVolumes or Rule.UniqueSecrets or Rule.UniqueConfigs when first is YSequence a && second is YSequence b:
                return MergeUnique(a, b, rule);
        }
        if (first is YMapping fm && second is YMapping sm) return MergeMapping(fm, sm, rules, path);
        if (first is YSequence fs && second is YSequence ss)
        {
            var items = new List<YNode>(fs.Items);
            foreach (var item in ss.Items)
            {
                // Plain string lists (dns, cap_add, profiles...) do not repeat a value.
                if (item is YScalar s && items.Any(i => i is YScalar o && o.Value == s.Value)) continue;
                items.Add(item);
            }
            return fs.WithItems(items);
        }
        return second;
    }

    private static YSequence MergeUnique(YSequence first, YSequence second, Rule rule)
    {
        var items = new List<YNode>(first.Items);
        foreach (var item in second.Items)
        {
            var key = UniqueKey(item, rule);
            var at = key is null ? -1 : items.FindIndex(i => UniqueKey(i, rule) == key);
            if (at < 0) items.Add(item);
            else items[at] = items[at] is YMapping a && item is YMapping b ? MergeMapping(a, b, (_, _) => Rule.Default, []) : item;
        }
        return first.WithItems(items);
    }

    /// <summary>The unique key of an entry: target for volumes/secrets/configs, {ip, target, published, protocol} for ports.</summary>
    private static string? UniqueKey(YNode item, Rule rule) => rule switch
    {
        Rule.UniqueVolumes => item switch
        {
            YScalar s => VolumeSyntax.TargetOf(s.Value),
            YMapping m => (m["target"] as YScalar)?.Value,
            _ => null,
        },
        Rule.UniqueSecrets => FileTarget(item, "/run/secrets/"),
        Rule.UniqueConfigs => FileTarget(item, "/"),
        Rule.UniquePorts => item switch
        {
            YScalar s => string.Join(";", PortSyntax.Parse(s.Value, out _).Select(p => $"{p.HostIp}|{p.Target}|{p.Published}{(p.PublishedEnd is { } end ? "-" + end : "")}|{p.Protocol}")),
            YMapping m => $"{(m["host_ip"] as YScalar)?.Value}|{(m["target"] as YScalar)?.Value}|{(m["published"] as YScalar)?.Value}|{(m["protocol"] as YScalar)?.Value ?? "tcp"}",
            _ => null,
        },
        _ => null,
    };

    private static string? FileTarget(YNode item, string defaultDir)
    {
        switch (item)
        {
            case YScalar s:
                return defaultDir + s.Value;
            case YMapping m:
                var target = (m["target"] as YScalar)?.Value ?? (m["source"] as YScalar)?.Value;
                return target is null ? null : target.StartsWith('/') ? target : defaultDir + target;
            default:
                return null;
        }
    }

    /// <summary>Lists of a list-or-dict field become mappings so both forms merge by key.</summary>
    private static YMapping ToMapping(YNode node, Func<YScalar, YEntry?> entry)
    {
        switch (node)
        {
            case YMapping m:
                return m;
            case YSequence seq:
            {
                var entries = new List<YEntry>();
                var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var item in seq.Items)
                {
                    if (item is not YScalar s || entry(s) is not { } e) continue;
                    if (seen.TryGetValue(e.Key.Value, out var at)) entries[at] = e;
                    else { seen[e.Key.Value] = entries.Count; entries.Add(e); }
                }
                return new YMapping(entries, seq.Mark, seq.Path, seq.Tag);
            }
            default:
                return new YMapping([], node.Mark, node.Path, node.Tag);
        }
    }

    private static YEntry? KeyValueEntry(YScalar s)
    {
        var eq = s.Value.IndexOf('=', StringComparison.Ordinal);
        var key = eq < 0 ? s.Value : s.Value[..eq];
        YNode value = eq < 0 ? new YScalar("", plain: true, s.Mark, s.Path) : new YScalar(s.Value[(eq + 1)..], plain: false, s.Mark, s.Path);
        return new YEntry(new YScalar(key, plain: false, s.Mark, s.Path), value);
    }

    private static YEntry? NameEntry(YScalar s) =>
        new(new YScalar(s.Value, plain: false, s.Mark, s.Path), new YScalar("", plain: true, s.Mark, s.Path));

    private static YEntry? DependsOnEntry(YScalar s) =>
        new(new YScalar(s.Value, plain: false, s.Mark, s.Path),
            new YMapping([new YEntry(YScalar.Text("condition", s.Mark, s.Path), YScalar.Text("service_started", s.Mark, s.Path))], s.Mark, s.Path));
}
