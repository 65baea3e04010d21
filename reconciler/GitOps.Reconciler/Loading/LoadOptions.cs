namespace GitOps.Reconciler.Loading;

/// <summary>
/// Options of one load. <see cref="Environment"/> is what interpolation sees (the CLI passes its process
/// environment; the daemon passes what the application's configuration says), overridden by nothing: a
/// <c>.env</c> file only fills in variables that are not set here, as in Compose.
/// </summary>
internal sealed record LoadOptions
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public ManifestFormat Format { get; init; } = ManifestFormat.Auto;

    /// <summary>Application (Compose project) name; otherwise from <c>name:</c>, COMPOSE_PROJECT_NAME or the directory.</summary>
    public string? Name { get; init; }

    /// <summary>Active Compose profiles (plus COMPOSE_PROFILES); "*" enables all.</summary>
    public IReadOnlyList<string> Profiles { get; init; } = [];

    /// <summary>Replaces the project's <c>.env</c> (Compose <c>--env-file</c>).</summary>
    public IReadOnlyList<string> EnvFiles { get; init; } = [];

    /// <summary>Look into subdirectories of a directory argument (as <c>kubectl apply -R</c>).</summary>
    public bool Recursive { get; init; }

    /// <summary>Report what gitops cannot run (unknown kinds, unsupported volume types, ignored fields) as errors, not warnings.</summary>
    public bool Strict { get; init; }

    /// <summary>Kubernetes kinds to skip entirely (as kubeconform's -skip).</summary>
    public IReadOnlySet<string> SkipKinds { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public IRemoteResourceLoader? RemoteLoader { get; init; }

    /// <summary>
    /// The revision's tree: every file a manifest names must resolve inside it (symlinks included); a path that
    /// leaves it is an error. Null takes paths as Docker does (an operator's local directory).
    /// </summary>
    public string? Root { get; init; }

    /// <summary>What the manifests may ask of the node; a revision that asks for more is rejected with every violation. Null checks nothing.</summary>
    public Policy.SecurityPolicy? Policy { get; init; }

    public string? Lookup(string name) => Environment.TryGetValue(name, out var v) ? v : null;
}
