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
}
