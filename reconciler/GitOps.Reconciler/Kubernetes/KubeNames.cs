namespace GitOps.Reconciler.Kubernetes;

/// <summary>
/// An application is one namespace-free set of names. Objects of the default namespace keep their name;
/// others become <c>NAME.NAMESPACE</c>, which is also how they resolve in cluster DNS, so two "web" objects
/// in two namespaces stay apart.
/// </summary>
internal static class KubeNames
{
    public const string DefaultNamespace = "default";

    public static string Qualify(string name, string? ns) =>
        string.IsNullOrEmpty(ns) || ns == DefaultNamespace ? name : name + "." + ns;
}
