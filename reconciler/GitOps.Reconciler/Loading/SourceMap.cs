using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Loading;

/// <summary>
/// Where model objects were declared, for checks that run on the finished model (duplicate published ports
/// across services, for one) and for status messages. Kept beside the model, not in it: a spec must not
/// change because a line moved.
/// </summary>
internal sealed class SourceMap
{
    private readonly Dictionary<string, (SourceMark Mark, string Path)> _marks = new(StringComparer.Ordinal);

    public void Add(string key, YNode node) => _marks.TryAdd(key, (node.Mark, node.Path));

    public void Add(string key, SourceMark mark, string path) => _marks.TryAdd(key, (mark, path));

    public bool TryGet(string key, out SourceMark mark, out string path)
    {
        if (_marks.TryGetValue(key, out var v)) { (mark, path) = v; return true; }
        (mark, path) = (SourceMark.None, "");
        return false;
    }

    public static string Service(string name) => "service/" + name;

    public static string PublishedPort(string service, int index) => $"service/{service}/ports/{index}";

    public static string RoutePort(string route, int index) => $"route/{route}/ports/{index}";

    public static string Route(string name) => "route/" + name;

    public static string Resource(string kind, string name) => kind + "/" + name;

    /// <summary>
    /// The service being mapped, for mappers that record where fields were written without knowing the service's
    /// name (a Kubernetes container inside a pod template). Set with <see cref="For"/>.
    /// </summary>
    public string? Scope { get; private set; }

    /// <summary>Scopes field positions to <paramref name="service"/> until the result is disposed.</summary>
    public IDisposable For(string service)
    {
        var previous = Scope;
        Scope = service;
        return new Restore(this, previous);
    }

    /// <summary>Where a field of the current service (and container, when given) was written: "privileged", "capAdd/SYS_ADMIN", "mounts//data".</summary>
    public void Field(string? container, string field, YNode? node)
    {
        if (Scope is null || node is null) return;
        Add(Field(Scope, container, field), node);
    }

    public static string Field(string service, string? container, string field) =>
        container is null ? $"service/{service}/field/{field}" : $"service/{service}/container/{container}/{field}";

    private sealed class Restore(SourceMap map, string? previous) : IDisposable
    {
        public void Dispose() => map.Scope = previous;
    }
}
