using GitOps.Reconciler.Apps;

namespace GitOps.Reconciler.Policy;

/// <summary>
/// The policies an application may name: the presets and the daemon config's <c>policies:</c>, plus the default for
/// applications that name none (restricted unless <c>defaults.policy</c> says otherwise). Applications declared by
/// compose up, stack deploy and apply default to privileged: an operator at a shell gets Docker's behaviour.
/// </summary>
internal sealed class PolicyCatalog(IReadOnlyDictionary<string, SecurityPolicy> named, string defaultName)
{
    public static readonly PolicyCatalog Presets = new(new Dictionary<string, SecurityPolicy>(StringComparer.Ordinal), SecurityPolicy.Restricted.Name);

    /// <summary>Origins of applications an operator declared from local files with the Compose, stack and kubectl verbs.</summary>
    public static readonly IReadOnlySet<string> ShellOrigins = new HashSet<string>(StringComparer.Ordinal) { "compose", "stack", "apply" };

    public string DefaultName => defaultName;

    public IEnumerable<string> Names => SecurityPolicy.Presets.Select(p => p.Name).Concat(named.Keys.Order(StringComparer.Ordinal));

    public SecurityPolicy? Find(string name) => named.TryGetValue(name, out var p) ? p : SecurityPolicy.Preset(name);

    /// <summary>The policy <paramref name="spec"/> runs under, or why it cannot be found.</summary>
    public SecurityPolicy? Resolve(AppSpec spec, string origin, out string? error)
    {
        error = null;
        if (spec.InlinePolicy is { } inline) return inline;
        var name = spec.SecurityPolicy ?? (ShellOrigins.Contains(origin) ? SecurityPolicy.Unrestricted.Name : defaultName);
        var policy = Find(name);
        if (policy is null) error = $"no policy named '{name}' (known: {string.Join(", ", Names)})";
        return policy;
    }
}
