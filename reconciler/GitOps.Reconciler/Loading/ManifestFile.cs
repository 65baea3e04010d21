namespace GitOps.Reconciler.Loading;

/// <summary>What a file was recognised as.</summary>
internal enum ManifestFileKind
{
    Compose,
    Kubernetes,
    DesiredState,
}

/// <summary>A file to load and what it holds.</summary>
internal sealed record ManifestFile(string Path, ManifestFileKind Kind);
