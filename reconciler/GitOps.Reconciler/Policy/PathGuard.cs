using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Policy;

/// <summary>
/// The one gate every loader path goes through before it reads a file a manifest names (env_file, label_file,
/// secret and config files, extends and include files, build contexts, seccomp profiles, the manifests
/// themselves): a relative path must resolve inside the revision's tree (symlinks included), and an absolute
/// path is a host path that the application's policy must allow. Without a tree root (an operator's local
/// directory under a permissive policy) paths are taken as Docker takes them.
/// </summary>
internal sealed class PathGuard(string? root, SecurityPolicy? policy, DiagnosticBag diagnostics, Action<string>? read = null)
{
    readonly TreeRoot? _tree = root is null ? null : new TreeRoot(root);
    readonly HashSet<string> _approvedHostPaths = new(StringComparer.Ordinal);

    public string? Root => _tree?.Root;

    public SecurityPolicy? Policy => policy;

    /// <summary>
    /// The path to read for <paramref name="written"/> (as the manifest has it after rebasing: relative to
    /// <paramref name="baseDir"/>, or absolute), or null after reporting why it may not be read at <paramref name="at"/>.
    /// <paramref name="what"/> names the field in messages ("env_file", "secret file").
    /// </summary>
    public string? Read(string written, string baseDir, SourceMark at, string yamlPath, string what)
    {
        // Every path handed out is one the load depends on: the revision cache re-checks it before reusing a compile.
        var path = ResolveForRead(written, baseDir, at, yamlPath, what);
        if (path is not null) read?.Invoke(path);
        return path;
    }

    string? ResolveForRead(string written, string baseDir, SourceMark at, string yamlPath, string what)
    {
        var hostPath = written.StartsWith('~') ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), written.TrimStart('~').TrimStart('/')) : written;
        if (_tree is null)
        {
            var local = Path.IsPathRooted(hostPath) ? hostPath : Path.GetFullPath(Path.Combine(baseDir, hostPath));
            return Path.IsPathRooted(hostPath) && !HostAllowed(local, at, yamlPath, what) ? null : local;
        }
        if (Path.IsPathRooted(hostPath) && !_tree.Contains(hostPath))
            return HostAllowed(hostPath, at, yamlPath, what) ? hostPath : null;
        if (_tree.TryResolve(hostPath, baseDir, out var resolved, out var error)) return resolved;
        var shown = Path.IsPathRooted(written) && _tree.Contains(written) ? Path.GetRelativePath(_tree.Root, written) : written;
        diagnostics.Error(at, yamlPath, $"{what} {shown}: {error}", "path.escape");
        return null;
    }

    /// <summary>A file about to be parsed (a manifest): inside the tree, or a host path this guard approved.</summary>
    public bool MayRead(string fullPath)
    {
        if (_tree is null) return true;
        if (!_tree.Contains(fullPath)) return _approvedHostPaths.Contains(Rules.Normalize(fullPath));
        return _tree.TryResolve(fullPath, _tree.Root, out _, out _);
    }

    /// <summary>Checks <paramref name="relative"/> against the tree only (a bind source seen by the policy checker); null when fine.</summary>
    public string? Escape(string relative, string baseDir)
    {
        if (_tree is null) return null;
        return _tree.TryResolve(relative, baseDir, out _, out var error) ? null : error;
    }

    /// <summary>Resolves a path in the tree (for the compiler): the resolved path, or null and why.</summary>
    public string? Resolve(string path, string baseDir, out string? error)
    {
        error = null;
        if (_tree is null) return Path.GetFullPath(Path.Combine(baseDir, path));
        return _tree.TryResolve(path, baseDir, out var resolved, out error) ? resolved : null;
    }

    bool HostAllowed(string hostPath, SourceMark at, string yamlPath, string what)
    {
        if (policy is null || policy.HostPathRule(hostPath, readOnly: true) is not null)
        {
            _approvedHostPaths.Add(Rules.Normalize(hostPath));
            return true;
        }
        diagnostics.Error(at, yamlPath, $"policy {policy.Name}: {what} {hostPath} is a host path, not allowed (allowed host paths: {PolicyText.List(policy.AllowedHostPaths)})", "policy.host-path");
        return false;
    }
}
