using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Validation;

/// <summary>
/// Whether every replica of a service can publish its ports (<see cref="Publishing.Problems"/>), reported at the
/// offending <c>ports</c> entry. Runs when a revision loads, and again when the replica count is overridden
/// (<c>compose up --scale</c>): either way before anything is applied, so a port conflict never leaves a
/// service half rolled out.
/// </summary>
internal static class ReplicaPortCheck
{
    public static IEnumerable<Diagnostic> Check(Service service, int replicas, SourceMap sources)
    {
        var seen = new HashSet<SourceMark>();
        foreach (var (index, message) in Publishing.Problems(service, replicas))
        {
            sources.TryGet(SourceMap.PublishedPort(service.Name, index), out var mark, out var path);
            // One finding per ports entry: "8000-8001:80-81" expands to two bindings with the same problem.
            if (mark.Line > 0 && !seen.Add(mark)) continue;
            yield return new Diagnostic(Severity.Error, mark.File, mark.Line, mark.Column, path, message, "ports.replicas");
        }
    }
}
