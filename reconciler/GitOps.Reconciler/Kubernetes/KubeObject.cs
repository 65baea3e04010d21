using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// One Kubernetes-style object: its identity and its tree. <see cref="PathPrefix"/> is "items[3]" for an item
/// of a <c>kind: List</c>, so errors name the path inside the document.
/// </summary>
internal sealed record KubeObject(string ApiVersion, string Kind, string Name, string? Namespace, YMapping Root, string PathPrefix)
{
    public string TypeKey => ApiVersion + "/" + Kind;

    /// <summary>The object's name in the application: "web", or "web.shop" outside the default namespace (as its DNS name).</summary>
    public string ModelName => KubeNames.Qualify(Name, Namespace);

    public YMapping? Spec => Root["spec"] as YMapping;

    public YMapping? Metadata => Root["metadata"] as YMapping;
}
