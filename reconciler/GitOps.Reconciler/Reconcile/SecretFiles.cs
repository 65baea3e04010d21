using GitOps.Reconciler.Loading;

namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// The files of a revision that hold secret values, so the run tree can leave them out: a Compose or stack secret's
/// <c>file:</c>, and every manifest that declares a Kubernetes Secret (its data is the secret, base64 or
/// <c>stringData</c>). Their values were read while loading and live on in memory and, sealed, in the engine's secret
/// store; nothing on disk needs them after the load.
/// </summary>
/// <remarks>
/// One exception, said as a warning: a secret file that a service also bind-mounts from the repository (the file or a
/// directory around it) stays, because the user asked for that file in the container; a build context keeps no such
/// claim (a secret copied into an image is a mistake better seen as a failed build).
/// </remarks>
internal static class SecretFiles
{
    public sealed record Result(IReadOnlySet<string> LeaveOut, IReadOnlyList<string> Warnings);

    /// <param name="checkout">The tree's root in the checkout the revision was loaded from.</param>
    /// <param name="baseDir">The application's directory in it (where the model's relative paths start).</param>
    public static Result Find(LoadResult load, DesiredApp desired, string checkout, string baseDir)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal); // full path -> secret key
        foreach (var s in load.Application!.Secrets.Values)
        {
            if (s.External) continue;
            if (s.File is { } file) files.TryAdd(Compose.ComposePaths.Local(file, baseDir), s.Key);
            else if (load.Sources.TryGet(SourceMap.Resource("secret", s.Key), out var mark, out _) && mark.File.Length > 0)
                files.TryAdd(Path.GetFullPath(mark.File, baseDir), s.Key);
        }
        var binds = desired.Services
            .SelectMany(svc => svc.Spec.Template.Containers.Concat(svc.Spec.Template.InitContainers).SelectMany(c => c.Mounts.Select(m => (svc.Name, m))))
            .Where(x => x.m.Type == Model.MountType.Bind && x.m.Source is { } src && !Path.IsPathRooted(src))
            .Select(x => (x.Name, Path: Path.GetFullPath(Path.Combine(baseDir, x.m.Source!))))
            .ToList();
        var root = Path.GetFullPath(checkout);
        var leaveOut = new HashSet<string>(StringComparer.Ordinal);
        var warnings = new List<string>();
        foreach (var (full, key) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, full);
            if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)) continue; // not in the tree
            var boundBy = binds.FirstOrDefault(b => full == b.Path || full.StartsWith(b.Path + "/", StringComparison.Ordinal)).Name;
            if (boundBy is not null)
            {
                warnings.Add($"secret {key}: its file {relative} is also bind-mounted by service {boundBy}, so it stays in the revision's tree on disk; mount it as a secret instead");
                continue;
            }
            leaveOut.Add(relative.Replace('\\', '/'));
        }
        return new Result(leaveOut, warnings);
    }
}
