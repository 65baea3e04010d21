using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Policy;

/// <summary>
/// Reads a policy written in the daemon's config (a named policy, or an application's inline one): a preset to
/// start from (<c>base</c>, restricted unless given) and the allow-lists that replace the preset's. Structure and
/// types are the schema's to check; values (paths, ports, quantities, capability names) are checked here, each
/// finding at its line.
/// </summary>
internal static class PolicyReader
{
    public static SecurityPolicy? Read(string name, YMapping node, DiagnosticBag bag)
    {
        var errors = bag.Items.Count(d => d.Severity == Severity.Error);
        var policy = SecurityPolicy.Restricted;
        if (node["base"] is YScalar { IsNull: false } b)
        {
            if (SecurityPolicy.Preset(b.Value) is { } preset) policy = preset;
            else bag.Error(b, $"base must be one of {string.Join(", ", SecurityPolicy.Presets.Select(p => p.Name))}, got '{b.Value}'", "config.policy");
        }
        policy = policy with { Name = name };
        if (node["allowedHostPaths"] is YSequence paths) policy = policy with { AllowedHostPaths = HostPaths(paths, bag) };
        if (Strings(node, "allowedCapabilities", bag) is { } caps)
            policy = policy with { AllowedCapabilities = [.. caps.Select(c => c.ToUpperInvariant().StartsWith("CAP_", StringComparison.Ordinal) ? c.ToUpperInvariant()[4..] : c.ToUpperInvariant())] };
        policy = policy with
        {
            HostNetwork = Bool(node, "hostNetwork") ?? policy.HostNetwork,
            HostPid = Bool(node, "hostPID") ?? policy.HostPid,
            HostIpc = Bool(node, "hostIPC") ?? policy.HostIpc,
            Privileged = Bool(node, "privileged") ?? policy.Privileged,
            Unconfined = Bool(node, "unconfined") ?? policy.Unconfined,
            ForeignNamespaces = Bool(node, "foreignNamespaces") ?? policy.ForeignNamespaces,
        };
        if (Strings(node, "allowedDevices", bag) is { } devices)
        {
            foreach (var (d, i) in devices.Select((d, i) => (d, i)).Where(x => x.d != SecurityPolicy.Any && !x.d.StartsWith('/')))
                bag.Error(((YSequence)node["allowedDevices"]!).Items[i], $"a device is an absolute path such as /dev/fuse, got '{d}'", "config.policy");
            policy = policy with { AllowedDevices = devices };
        }
        if (Strings(node, "allowedVolumeDrivers", bag) is { } drivers) policy = policy with { AllowedVolumeDrivers = drivers };
        if (Strings(node, "allowedVolumeTypes", bag) is { } types) policy = policy with { AllowedVolumeTypes = types };
        if (Strings(node, "allowedImages", bag) is { } images) policy = policy with { AllowedImages = images };
        if (node["hostPorts"] is YSequence ports)
        {
            var ranges = new List<PortRange>();
            foreach (var item in ports.Items.OfType<YScalar>())
            {
                if (PortRange.Parse(item.Value) is { } range) ranges.Add(range);
                else bag.Error(item, $"expected a port (1-65535) or a range such as 1024-65535, got '{item.Value}'", "config.policy");
            }
            policy = policy with { HostPorts = ranges };
        }
        if (node["resources"] is YMapping resources)
        {
            if (resources["cpus"] is YScalar { IsNull: false } cpus)
            {
                if ((CpuCount.TryParseNanoCpus(cpus.Value, out var nano) || Quantity.TryParseNanoCpus(cpus.Value, out nano)) && nano > 0) policy = policy with { MaxCpuNano = nano };
                else bag.Error(cpus, $"expected a number of CPUs such as 2 or 0.5, got '{cpus.Value}'", "config.policy");
            }
            if (resources["memory"] is YScalar { IsNull: false } memory)
            {
                if ((Quantity.TryParseBytes(memory.Value, out var bytes) || ByteSize.TryParse(memory.Value, out bytes)) && bytes > 0) policy = policy with { MaxMemoryBytes = bytes };
                else bag.Error(memory, $"expected a memory size such as 512Mi, 2G or 1.5g, got '{memory.Value}'", "config.policy");
            }
        }
        return bag.Items.Count(d => d.Severity == Severity.Error) > errors ? null : policy;
    }

    static List<HostPathRule> HostPaths(YSequence items, DiagnosticBag bag)
    {
        var rules = new List<HostPathRule>();
        foreach (var item in items.Items)
        {
            YScalar? path = item as YScalar;
            var readOnly = false;
            if (item is YMapping m)
            {
                path = m["path"] as YScalar;
                readOnly = m["readOnly"] is YScalar ro && ro.TryGetBool(out var r) && r;
            }
            if (path is null || path.IsNull) continue; // the schema reported it
            if (!path.Value.StartsWith('/')) bag.Error(path, $"a host path is absolute, got '{path.Value}'", "config.policy");
            else rules.Add(new HostPathRule(Rules.Normalize(path.Value), readOnly));
        }
        return rules;
    }

    static List<string>? Strings(YMapping node, string key, DiagnosticBag bag) =>
        node[key] is YSequence seq ? [.. seq.Items.OfType<YScalar>().Where(s => !s.IsNull).Select(s => s.Value)] : null;

    static bool? Bool(YMapping node, string key) => node[key] is YScalar s && s.TryGetBool(out var b) ? b : null;
}
