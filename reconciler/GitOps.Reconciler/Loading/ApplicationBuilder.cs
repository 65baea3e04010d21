using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Loading;

/// <summary>
/// Collects what every loaded file contributes to the one application and reports a name declared twice
/// (two Deployments "web", or a Compose service and a Kubernetes Deployment of the same name).
/// </summary>
internal sealed class ApplicationBuilder(LoadContext ctx)
{
    private readonly Dictionary<string, Service> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Network> _networks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Volume> _volumes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Secret> _secrets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Config> _configs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly List<UnsupportedResource> _unsupported = [];
    private readonly HashSet<string> _implicitNetworks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Rollouts.Model.AnalysisTemplate> _analysisTemplates = new(StringComparer.Ordinal);

    /// <summary>Analyses rollouts declare, checked against the templates once every file is read.</summary>
    public Rollouts.Loading.AnalysisReferences AnalysisReferences { get; } = new();

    public IReadOnlyDictionary<string, Rollouts.Model.AnalysisTemplate> AnalysisTemplates => _analysisTemplates;

    /// <summary>Keyed as <see cref="Rollouts.Model.AnalysisTemplate.Key"/>: a ClusterAnalysisTemplate may share a name with an AnalysisTemplate.</summary>
    public void Add(Rollouts.Model.AnalysisTemplate template, YNode at) =>
        Add(_analysisTemplates, template.Cluster ? "ClusterAnalysisTemplate" : "AnalysisTemplate", template.Key, template, at);

    public string? Name { get; set; }

    public IReadOnlyDictionary<string, Service> Services => _services;

    public IReadOnlyDictionary<string, Network> Networks => _networks;

    public IReadOnlyDictionary<string, Volume> Volumes => _volumes;

    public IReadOnlyDictionary<string, Secret> Secrets => _secrets;

    public IReadOnlyDictionary<string, Config> Configs => _configs;

    public IReadOnlyDictionary<string, Route> Routes => _routes;

    public void Add(Service service, YNode at) => Add(_services, "service", service.Name, service, at);

    /// <summary>A Rollout that takes over the Deployment of the same name it references (Argo's workloadRef migration).</summary>
    public void Replace(Service service) => _services[service.Name] = service;

    public void Add(Network network, YNode at)
    {
        // A declared network takes the place of one that was only implied ("default").
        if (_implicitNetworks.Remove(network.Key)) _networks.Remove(network.Key);
        Add(_networks, "network", network.Key, network, at);
    }

    public void Add(Volume volume, YNode at) => Add(_volumes, "volume", volume.Key, volume, at);

    public void Add(Secret secret, YNode at) => Add(_secrets, "secret", secret.Key, secret, at);

    public void Add(Config config, YNode at) => Add(_configs, "config", config.Key, config, at);

    public void Add(Route route, YNode at) => Add(_routes, "route", route.Name, route, at);

    /// <summary>Networks Compose creates without a declaration ("default") are added only once.</summary>
    public void AddImplicit(Network network)
    {
        if (_networks.TryAdd(network.Key, network)) _implicitNetworks.Add(network.Key);
    }

    public void Add(UnsupportedResource resource) => _unsupported.Add(resource);

    public Application Build(string fallbackName) => new(
        Name ?? fallbackName,
        new ValueMap<Service>(_services),
        new ValueMap<Network>(_networks),
        new ValueMap<Volume>(_volumes),
        new ValueMap<Secret>(_secrets),
        new ValueMap<Config>(_configs),
        new ValueMap<Route>(_routes),
        new ValueList<UnsupportedResource>(_unsupported
            .OrderBy(u => u.Kind, StringComparer.Ordinal).ThenBy(u => u.Namespace, StringComparer.Ordinal).ThenBy(u => u.Name, StringComparer.Ordinal)))
    {
        AnalysisTemplates = new ValueMap<Rollouts.Model.AnalysisTemplate>(_analysisTemplates),
    };

    private void Add<T>(Dictionary<string, T> into, string kind, string name, T value, YNode at)
    {
        if (into.ContainsKey(name))
        {
            ctx.Sources.TryGet(SourceMap.Resource(kind, name), out var first, out _);
            var where = first.Line > 0 ? $" (first declared at {first})" : "";
            ctx.Diagnostics.Error(at, $"duplicate {kind} '{name}'{where}", "manifest.duplicate");
            return;
        }
        into[name] = value;
        ctx.Sources.Add(SourceMap.Resource(kind, name), at);
    }
}
