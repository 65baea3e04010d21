using GitOps.Reconciler.Loading;

namespace GitOps.Reconciler.Reconcile.Caching;

/// <summary>Which files a compiled revision depends on beyond its revision id, for <see cref="RevisionCache{T}"/>.</summary>
internal static class RevisionInputs
{
    /// <summary>
    /// What the load read (manifests, env files, secret and config files, build contexts, ...) and the bind sources
    /// the compiler digested into service hashes. Inside <paramref name="checkout"/> (a Git revision's tree) nothing
    /// can change without a new commit, so only what lies outside it is kept: host paths a policy allows, and for a
    /// local source (no checkout) everything.
    /// </summary>
    public static IReadOnlyList<string> Of(LoadResult load, DesiredApp? desired, string? checkout)
    {
        IEnumerable<string> all = desired is null ? load.Inputs : [.. load.Inputs, .. desired.BindSources.Values];
        if (checkout is not null)
        {
            var root = Path.GetFullPath(checkout).TrimEnd('/');
            all = all.Where(p => p != root && !p.StartsWith(root + "/", StringComparison.Ordinal));
        }
        return all.Distinct(StringComparer.Ordinal).ToList();
    }
}
