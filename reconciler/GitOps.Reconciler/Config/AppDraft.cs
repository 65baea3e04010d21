namespace GitOps.Reconciler.Configuration;

/// <summary>
/// An application as written — in the config file or as <c>gitops app add</c> arguments — before any check:
/// text as given, nulls for what was left out. <see cref="AppSpecValidator"/> turns it into an
/// <see cref="Apps.AppSpec"/> or into diagnostics, the same way for both.
/// </summary>
internal sealed record AppDraft
{
    public string? Name { get; init; }

    public string? Repo { get; init; }

    /// <summary>"git" (the default) or "local".</summary>
    public string? Source { get; init; }

    /// <summary>The directory of a local source.</summary>
    public string? Path { get; init; }

    public string? Branch { get; init; }

    public string? Tag { get; init; }

    public string? Revision { get; init; }

    public IReadOnlyList<string>? Paths { get; init; }

    /// <summary>A Go duration ("1m30s") or a number of seconds, as text.</summary>
    public string? Interval { get; init; }

    public double? Jitter { get; init; }

    public string? Cron { get; init; }

    public string? Project { get; init; }

    public bool? Prune { get; init; }

    public bool? PruneVolumes { get; init; }

    public bool? SelfHeal { get; init; }

    /// <summary>"report" or "heal".</summary>
    public string? Drift { get; init; }

    public string? Username { get; init; }

    /// <summary>A token given directly (the CLI's --token); the config file only takes <see cref="TokenFile"/>.</summary>
    public string? Token { get; init; }

    public string? TokenFile { get; init; }

    public string? SshKeyFile { get; init; }

    public string? KnownHostsFile { get; init; }

    /// <summary>A preset or named policy (<c>policy: baseline</c>, <c>--policy</c>).</summary>
    public string? Policy { get; init; }

    /// <summary>A policy written inline in the config file.</summary>
    public Policy.SecurityPolicy? InlinePolicy { get; init; }

    public override string ToString() => $"AppDraft {{ Name = {Name}, Repo = {Repo}, Token = {(Token is null ? "null" : "***")} }}";
}
