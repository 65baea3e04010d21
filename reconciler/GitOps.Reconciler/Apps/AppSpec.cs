namespace GitOps.Reconciler.Apps;

/// <summary>
/// One application the daemon keeps converged: where its manifests come from, how often to look, and
/// what it may change. Declared in the daemon's config file or with <c>gitops app add</c>; immutable.
/// </summary>
internal sealed record AppSpec(
    string Name,
    AppSource Source,
    IReadOnlyList<string> Paths,
    AppSchedule Schedule,
    AppPolicy Policy,
    string? Project,
    AppOverrides? Overrides = null)
{
    /// <summary>The project name resources are named after (Compose's <c>-p</c>): the app name unless set.</summary>
    public string ProjectName => Project ?? Name;

    /// <summary>
    /// What the manifests may ask of the node: a preset (restricted, baseline, privileged) or a named policy of the
    /// daemon's config. Null: the daemon's default (restricted unless the config says otherwise), or privileged
    /// for compose up, stack deploy and apply (an operator at a shell, as with Docker).
    /// </summary>
    public string? SecurityPolicy { get; init; }

    /// <summary>A policy written into the application's entry of the config file, instead of a name.</summary>
    public Policy.SecurityPolicy? InlinePolicy { get; init; }
}

/// <summary>
/// Where manifests come from. <see cref="Repo"/> is a Git URL (local path, file://, https://, ssh://
/// or scp-like user@host:path) or, with <see cref="Kind"/> Local, a plain directory that is read as it
/// is (compose up, stack deploy and apply use that). At most one of branch, tag or revision is set;
/// none means the remote's default branch.
/// </summary>
internal sealed record AppSource(
    SourceKind Kind,
    string Repo,
    string? Branch,
    string? Tag,
    string? Revision,
    SourceAuth? Auth)
{
    /// <summary>What the source follows, for status output: "branch main", "tag v1", "revision 1a2b3c4".</summary>
    public string Describe() =>
        Kind == SourceKind.Local ? "local files" :
        Revision is not null ? $"revision {Revision[..Math.Min(7, Revision.Length)]}" :
        Tag is not null ? $"tag {Tag}" : $"branch {Branch ?? "(default)"}";
}

internal enum SourceKind
{
    Git,
    Local,
}

/// <summary>Credentials: an https token (with an optional user name) or an ssh private key file. Never logged.</summary>
internal sealed record SourceAuth(string? Username, string? Token, string? SshKeyFile, string? SshKnownHostsFile)
{
    /// <summary>A file holding the token (the config file's <c>tokenFile</c>). Read at each fetch, so a rotated token
    /// needs no restart; <see cref="Token"/> wins when both are set.</summary>
    public string? TokenFile { get; init; }

    public override string ToString() => $"SourceAuth {{ Username = {Username}, Token = {(Token is null ? "null" : "***")}, TokenFile = {TokenFile}, SshKeyFile = {SshKeyFile}, SshKnownHostsFile = {SshKnownHostsFile} }}";
}

/// <summary>When to poll: every <see cref="Interval"/> (with up to <see cref="Jitter"/> of it added at random, so
/// a hundred apps don't fetch in the same second), or on a cron expression (Quartz syntax) when set.</summary>
internal sealed record AppSchedule(TimeSpan Interval, double Jitter, string? Cron)
{
    public static readonly AppSchedule Default = new(TimeSpan.FromSeconds(30), 0.1, null);
}

/// <summary>What the reconciler may do on its own.</summary>
/// <param name="Prune">Remove services, networks, secrets and configs that left Git.</param>
/// <param name="PruneVolumes">Also remove volumes (and their data) that left Git: off unless the app opts in.</param>
/// <param name="SelfHeal">Undo drift (containers stopped, removed, changed or added by hand) as soon as it is seen.</param>
/// <param name="Drift">Report only, or heal drift (heal is SelfHeal by another name, as the issue's CLI spells it).</param>
internal sealed record AppPolicy(bool Prune, bool PruneVolumes, bool SelfHeal, DriftMode Drift)
{
    public static readonly AppPolicy Default = new(false, false, false, DriftMode.Report);

    public bool Heals => SelfHeal || Drift == DriftMode.Heal;
}

internal enum DriftMode
{
    Report,
    Heal,
}

/// <summary>
/// What the Compose, stack and apply verbs add on top of the files: how to read them (a stack file under
/// any name) and replica counts from <c>compose up --scale</c>.
/// </summary>
internal sealed record AppOverrides(Loading.ManifestFormat Format, IReadOnlyDictionary<string, int>? Scale);
