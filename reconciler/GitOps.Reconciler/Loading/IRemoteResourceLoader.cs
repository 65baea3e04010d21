namespace GitOps.Reconciler.Loading;

/// <summary>
/// Resolves <c>extends.file</c> and <c>include</c> references that are not local paths (<c>scheme:...</c>), as
/// compose-go's ResourceLoader does. gitops itself fetches nothing remote while loading a revision (a revision
/// must be reproducible from its commit); tests plug in a loader for compose-go's "remote:" fixtures.
/// </summary>
internal interface IRemoteResourceLoader
{
    /// <summary>True when this loader handles <paramref name="reference"/>.</summary>
    bool Accepts(string reference);

    /// <summary>A local file holding the content of <paramref name="reference"/>.</summary>
    string Resolve(string reference);
}
