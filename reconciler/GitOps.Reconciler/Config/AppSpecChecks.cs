using System.Globalization;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Sources;
using Quartz;

namespace GitOps.Reconciler.Configuration;

/// <summary>
/// The checks a finished <see cref="AppSpec"/> must pass when it arrives as JSON (<c>POST /apps</c>) or is read back
/// from <c>apps.json</c>: the deserializer fills what a client left out with nulls, so every field is checked here
/// before anything is registered or persisted. The rules are <see cref="AppSpecValidator"/>'s (the config file's and
/// <c>app add</c>'s), so an app is accepted or refused the same way wherever it comes from.
/// </summary>
internal static class AppSpecChecks
{
    /// <summary>More paths than this in one application is a mistake, not a layout.</summary>
    public const int MaxPaths = 256;

    /// <summary>PATH_MAX: no path (repository, manifest directory, key file) is longer on Linux.</summary>
    public const int MaxPathLength = 4096;

    /// <summary>Every problem of <paramref name="spec"/>, in field order; empty when it is sound.</summary>
    public static IReadOnlyList<string> Problems(AppSpec? spec)
    {
        var errors = new List<string>();
        if (spec is null) return ["the application is empty: expected an object with name, source, paths, schedule and policy"];
        if (string.IsNullOrEmpty(spec.Name)) errors.Add("name: an application needs a name");
        else if (!AppSpecValidator.IsValidName(spec.Name))
            errors.Add($"name: \"{Clip(spec.Name)}\" is not a valid application name: lower-case letters, digits, '_', '.' and '-', starting with a letter or digit, at most {AppSpecValidator.MaxNameLength} characters");
        Source(spec.Source, errors);
        if (spec.Paths is null) errors.Add("paths: missing (\".\" is the whole repository)");
        else
        {
            if (spec.Paths.Count > MaxPaths) errors.Add($"paths: {spec.Paths.Count} entries; at most {MaxPaths}");
            for (var i = 0; i < Math.Min(spec.Paths.Count, MaxPaths); i++)
            {
                var p = spec.Paths[i];
                if (string.IsNullOrWhiteSpace(p)) errors.Add($"paths[{i}]: an empty path");
                else if (p.Length > MaxPathLength) errors.Add($"paths[{i}]: {p.Length} characters; a path has at most {MaxPathLength}");
                else if (p.Contains('\0', StringComparison.Ordinal)) errors.Add($"paths[{i}]: contains a NUL character");
                // A local source's files are the caller's own (compose -f ../other.yaml); a repository's stay inside it.
                else if (spec.Source?.Kind == SourceKind.Local) continue;
                else if (Path.IsPathRooted(p)) errors.Add($"paths[{i}]: \"{Clip(p)}\" must be relative to the repository's root");
                else if (p.Replace('\\', '/').Split('/').Contains("..")) errors.Add($"paths[{i}]: \"{Clip(p)}\" leaves the repository ('..')");
            }
        }
        if (spec.Schedule is not { } schedule) errors.Add("schedule: missing (interval, jitter and cron)");
        else
        {
            if (schedule.Cron is { } cron)
            {
                if (!CronExpression.TryParse(cron, out _)) errors.Add($"schedule.cron: \"{Clip(cron)}\" is not a Quartz cron expression (six or seven fields, seconds first: \"0 */5 * * * ?\")");
            }
            else if (schedule.Interval < AppSpecValidator.MinInterval)
                errors.Add($"schedule.interval: must be at least {AppSpecValidator.MinInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s, got {schedule.Interval}");
            if (!double.IsFinite(schedule.Jitter) || schedule.Jitter < 0 || schedule.Jitter > 1)
                errors.Add($"schedule.jitter: a fraction of the interval between 0 and 1, got {schedule.Jitter.ToString(CultureInfo.InvariantCulture)}");
        }
        if (spec.Policy is null) errors.Add("policy: missing (prune, pruneVolumes, selfHeal, drift)");
        else if (!Enum.IsDefined(spec.Policy.Drift)) errors.Add($"policy.drift: must be report or heal, got {(int)spec.Policy.Drift}");
        // Resource names start with the project's (PROJECT_NETWORK, PROJECT-SERVICE-1): the application name's rule.
        if (spec.Project is { } project && !AppSpecValidator.IsValidName(project))
            errors.Add($"project: \"{Clip(project)}\" is not a valid project name: lower-case letters, digits, '_', '.' and '-', starting with a letter or digit, at most {AppSpecValidator.MaxNameLength} characters");
        if (spec.Overrides is { } o)
        {
            if (!Enum.IsDefined(o.Format)) errors.Add($"overrides.format: unknown manifest format {(int)o.Format}");
            foreach (var (service, replicas) in o.Scale ?? new Dictionary<string, int>())
                if (replicas < 0) errors.Add($"overrides.scale.{Clip(service)}: replicas must be 0 or more, got {replicas}");
        }
        return errors;
    }

    static void Source(AppSource? source, List<string> errors)
    {
        if (source is null) { errors.Add("source: missing (kind and repo)"); return; }
        if (!Enum.IsDefined(source.Kind)) { errors.Add($"source.kind: must be Git or Local, got {(int)source.Kind}"); return; }
        if (string.IsNullOrWhiteSpace(source.Repo)) { errors.Add(source.Kind == SourceKind.Git ? "source.repo: a Git application needs a repository URL or path" : "source.repo: a local application needs its directory"); return; }
        if (source.Repo.Length > MaxPathLength) { errors.Add($"source.repo: {source.Repo.Length} characters; at most {MaxPathLength}"); return; }
        if (source.Kind == SourceKind.Local)
        {
            if (!Path.IsPathRooted(source.Repo)) errors.Add($"source.repo: a local directory must be an absolute path, got \"{Clip(source.Repo)}\"");
            if (source.Branch is not null || source.Tag is not null || source.Revision is not null) errors.Add("source: branch, tag and revision apply to Git sources only");
            if (source.Auth is not null) errors.Add("source.auth: applies to Git sources only");
            return;
        }
        if (!RepoUrl.TryParse(source.Repo, out _))
            errors.Add($"source.repo: \"{Clip(RepoUrl.Redact(source.Repo))}\" is not a repository URL or path (expected a path, file://, https://, http://, ssh://, git:// or user@host:path)");
        if (new[] { source.Branch, source.Tag, source.Revision }.Count(x => x is not null) > 1) errors.Add("source: give at most one of branch, tag and revision");
        if (source.Branch is { } b && AppSpecValidator.RefNameProblem(b) is { } bp) errors.Add($"source.branch: \"{Clip(b)}\" is not a valid branch name: {bp}");
        if (source.Tag is { } t && AppSpecValidator.RefNameProblem(t) is { } tp) errors.Add($"source.tag: \"{Clip(t)}\" is not a valid tag name: {tp}");
        if (source.Revision is { } r && !AppSpecValidator.IsCommitId(r)) errors.Add($"source.revision: \"{Clip(r)}\" is not a commit id: 4 to 40 hexadecimal digits");
        foreach (var (field, value) in new[] { ("sshKeyFile", source.Auth?.SshKeyFile), ("knownHostsFile", source.Auth?.SshKnownHostsFile), ("tokenFile", source.Auth?.TokenFile) })
            if (value is not null && (value.Length > MaxPathLength || !Path.IsPathRooted(value))) errors.Add($"source.auth.{field}: must be an absolute path of at most {MaxPathLength} characters");
    }

    /// <summary>Echoes of user text stay short: a 1 MB name is quoted by its first 64 characters.</summary>
    static string Clip(string s) => s.Length <= 64 ? s : s[..64] + $"… ({s.Length} characters)";
}
