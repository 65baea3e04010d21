using System.Globalization;
using System.Text.RegularExpressions;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Sources;
using GitOps.Reconciler.Values;
using GitOps.Reconciler.Yaml;
using Quartz;

namespace GitOps.Reconciler.Configuration;

/// <summary>
/// The checks an application must pass, shared by the config file loader and <c>gitops app add</c>, so an app is
/// accepted or refused the same way wherever it is declared. Every finding is reported, not just the first.
/// </summary>
internal static partial class AppSpecValidator
{
    public const int MaxNameLength = 63;

    /// <summary>Polling faster than this only loads the Git server.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Checks <paramref name="draft"/> and builds the app, with <paramref name="defaults"/> for what it leaves out.
    /// Relative paths (local repositories, key and token files) are taken against <paramref name="baseDirectory"/>.
    /// Returns null when any error was found; every finding is in <paramref name="diagnostics"/>.
    /// </summary>
    public static AppSpec? Validate(AppDraft draft, AppDefaults defaults, FieldLocator locate, DiagnosticBag diagnostics, string baseDirectory)
    {
        var errorsBefore = diagnostics.Items.Count(d => d.Severity == Severity.Error);
        void Error(string field, string message, string code)
        {
            var (mark, path) = locate(field);
            diagnostics.Error(mark, path, message, "config." + code);
        }
        void Warn(string field, string message, string code)
        {
            var (mark, path) = locate(field);
            diagnostics.Warning(mark, path, message, "config." + code);
        }

        // Name.
        var name = draft.Name;
        if (string.IsNullOrEmpty(name)) Error("name", "an application needs a name", "required");
        else if (!IsValidName(name))
            Error("name", $"'{name}' is not a valid application name: lower-case letters, digits, '_', '.' and '-', starting with a letter or digit, at most {MaxNameLength} characters", "name");

        // Source.
        var kind = SourceKind.Git;
        switch (draft.Source)
        {
            case null or "git": break;
            case "local": kind = SourceKind.Local; break;
            default: Error("source", $"source must be 'git' or 'local', got '{draft.Source}'", "source"); break;
        }
        string repo = "";
        RepoUrl? url = null;
        if (kind == SourceKind.Git)
        {
            if (draft.Path is not null) Error("path", "path is the directory of a local source (source: local); for directories inside a repository use paths", "path");
            if (string.IsNullOrWhiteSpace(draft.Repo)) Error("repo", "a Git application needs repo: a path, file://, https://, ssh:// or user@host:path URL", "required");
            else if (!RepoUrl.TryParse(draft.Repo, out var parsed, baseDirectory))
                Error("repo", $"'{RepoUrl.Redact(draft.Repo)}' is not a repository URL or path (expected a path, file://, https://, http://, ssh://, git:// or user@host:path)", "repo");
            else
            {
                url = parsed;
                repo = parsed.IsLocal ? parsed.Path : draft.Repo.Trim();
                if (parsed.IsHttp && draft.Repo.Contains('@', StringComparison.Ordinal) && RepoUrl.Redact(draft.Repo) != draft.Repo)
                    Error("repo", "do not write credentials into the URL; use auth.tokenFile", "credentials");
            }
        }
        else
        {
            var dir = draft.Path ?? draft.Repo;
            if (draft.Repo is not null && draft.Path is not null) Error("repo", "a local source takes path, not repo", "local");
            if (string.IsNullOrWhiteSpace(dir)) Error("path", "a local source needs path: the directory holding the manifests", "required");
            else
            {
                repo = System.IO.Path.GetFullPath(dir, baseDirectory);
                if (!Directory.Exists(repo)) Warn(draft.Path is not null ? "path" : "repo", $"directory {repo} does not exist (yet)", "missing-directory");
            }
            foreach (var (field, value) in new[] { ("branch", draft.Branch), ("tag", draft.Tag), ("revision", draft.Revision) })
                if (value is not null) Error(field, $"{field} applies to Git sources only", "local");
            if (draft.Username is not null || draft.Token is not null || draft.TokenFile is not null || draft.SshKeyFile is not null || draft.KnownHostsFile is not null)
                Error("auth", "auth applies to Git sources only", "local");
        }

        // What to follow.
        var refs = new[] { ("branch", draft.Branch), ("tag", draft.Tag), ("revision", draft.Revision) }.Where(r => r.Item2 is not null).ToList();
        if (refs.Count > 1)
            foreach (var (field, _) in refs.Skip(1))
                Error(field, $"branch, tag and revision are exclusive: {string.Join(" and ", refs.Select(r => r.Item1))} are both set", "exclusive");
        if (kind == SourceKind.Git)
        {
            if (draft.Branch is { } branch && RefNameProblem(branch) is { } bp) Error("branch", $"'{branch}' is not a valid branch name: {bp}", "ref");
            if (draft.Tag is { } tag && RefNameProblem(tag) is { } tp) Error("tag", $"'{tag}' is not a valid tag name: {tp}", "ref");
            if (draft.Revision is { } rev && !HexId().IsMatch(rev)) Error("revision", $"'{rev}' is not a commit id: 4 to 40 hexadecimal digits", "revision");
        }

        // Paths inside the source.
        var paths = draft.Paths ?? ["."];
        if (draft.Paths is { Count: 0 }) Error("paths", "paths needs at least one entry (\".\" is the whole repository)", "paths");
        for (var i = 0; i < paths.Count; i++)
        {
            var p = paths[i];
            if (string.IsNullOrWhiteSpace(p)) Error($"paths[{i}]", "an empty path", "paths");
            else if (System.IO.Path.IsPathRooted(p)) Error($"paths[{i}]", $"'{p}' must be relative to the repository's root", "paths");
            else if (p.Replace('\\', '/').Split('/').Contains("..")) Error($"paths[{i}]", $"'{p}' leaves the repository ('..')", "paths");
        }

        // Schedule.
        var interval = defaults.Interval;
        if (draft.Interval is { } intervalText)
        {
            if (!TryParseDuration(intervalText, out interval))
                Error("interval", $"'{intervalText}' is not a duration: write it like 30s, 1m30s or 2h, or as a number of seconds", "duration");
            else if (interval < MinInterval)
                Error("interval", $"the interval must be at least {GoDuration.Format(MinInterval)}, got {intervalText}", "duration");
        }
        if (draft.Cron is { } cron)
        {
            if (draft.Interval is not null) Error("cron", "interval and cron are exclusive: poll on one or the other", "exclusive");
            if (!CronExpression.TryParse(cron, out _))
                Error("cron", $"'{cron}' is not a Quartz cron expression (six or seven fields, seconds first: \"0 */5 * * * ?\")", "cron");
        }
        var jitter = draft.Jitter ?? defaults.Jitter;
        if (!double.IsFinite(jitter) || jitter < 0 || jitter > 1)
            Error("jitter", $"jitter is a fraction of the interval between 0 and 1, got {jitter.ToString(CultureInfo.InvariantCulture)}", "jitter");

        // Policy.
        var drift = defaults.Drift;
        switch (draft.Drift)
        {
            case null: break;
            case "report": drift = DriftMode.Report; break;
            case "heal": drift = DriftMode.Heal; break;
            default: Error("drift", $"drift must be 'report' or 'heal', got '{draft.Drift}'", "drift"); break;
        }
        if (draft.Project is { } project && !ProjectName().IsMatch(project))
            Error("project", $"'{project}' is not a valid project name: lower-case letters, digits, '_' and '-', starting with a letter or digit", "project");

        // Credentials.
        SourceAuth? auth = null;
        if (kind == SourceKind.Git && (draft.Username ?? draft.Token ?? draft.TokenFile ?? draft.SshKeyFile ?? draft.KnownHostsFile) is not null)
        {
            var tokenFile = draft.TokenFile is null ? null : System.IO.Path.GetFullPath(draft.TokenFile, baseDirectory);
            var keyFile = draft.SshKeyFile is null ? null : System.IO.Path.GetFullPath(draft.SshKeyFile, baseDirectory);
            var knownHosts = draft.KnownHostsFile is null ? null : System.IO.Path.GetFullPath(draft.KnownHostsFile, baseDirectory);
            if (draft.Token is not null && draft.TokenFile is not null) Error("auth.tokenFile", "give the token or a token file, not both", "exclusive");
            if (tokenFile is not null && !File.Exists(tokenFile)) Error("auth.tokenFile", $"token file {tokenFile} does not exist", "missing-file");
            if (keyFile is not null && !File.Exists(keyFile)) Error("auth.sshKeyFile", $"ssh key file {keyFile} does not exist", "missing-file");
            if (knownHosts is not null && !File.Exists(knownHosts)) Error("auth.knownHostsFile", $"known hosts file {knownHosts} does not exist", "missing-file");
            if (url is not null)
            {
                var hasToken = draft.Token is not null || draft.TokenFile is not null;
                if (hasToken && !url.IsHttp)
                    Error(draft.TokenFile is not null ? "auth.tokenFile" : "auth", "a token is sent over http(s) only; this repository is not an http(s) URL", "auth");
                if (hasToken && url.Scheme == RepoScheme.Http)
                    Warn("repo", "the token would cross the network unencrypted over http://; use https://", "plaintext");
                if ((keyFile ?? knownHosts) is not null && !url.IsSsh)
                    Error(keyFile is not null ? "auth.sshKeyFile" : "auth.knownHostsFile", "ssh settings apply to ssh:// and user@host:path repositories only", "auth");
            }
            auth = new SourceAuth(draft.Username, draft.Token, keyFile, knownHosts) { TokenFile = tokenFile };
        }

        var errorsAfter = diagnostics.Items.Count(d => d.Severity == Severity.Error);
        if (errorsAfter > errorsBefore || name is null) return null;
        var source = kind == SourceKind.Local
            ? new AppSource(SourceKind.Local, repo, null, null, null, null)
            : new AppSource(SourceKind.Git, repo, draft.Branch, draft.Tag, draft.Revision?.ToLowerInvariant(), auth);
        var schedule = new AppSchedule(interval, jitter, draft.Cron);
        var policy = new AppPolicy(draft.Prune ?? defaults.Prune, draft.PruneVolumes ?? defaults.PruneVolumes, draft.SelfHeal ?? defaults.SelfHeal, drift);
        return new AppSpec(name, source, paths, schedule, policy, draft.Project) { SecurityPolicy = draft.Policy ?? defaults.Policy, InlinePolicy = draft.InlinePolicy };
    }

    /// <summary>
    /// <c>gitops app add</c>: the same checks, with findings that name the command-line option
    /// ("gitops app add: error: --interval: '30x' is not a duration...").
    /// </summary>
    public static (AppSpec? Spec, IReadOnlyList<Diagnostic> Diagnostics) ValidateCommandLine(AppDraft draft, AppDefaults? defaults = null, string? baseDirectory = null)
    {
        var bag = new DiagnosticBag();
        var spec = Validate(draft, defaults ?? AppDefaults.Default, CommandLine, bag, baseDirectory ?? Directory.GetCurrentDirectory());
        return (spec, bag.Sorted());
    }

    /// <summary>Locates fields as command-line options: "auth.tokenFile" → --token-file, "paths[1]" → --path.</summary>
    public static (SourceMark Mark, string Path) CommandLine(string field)
    {
        var name = field;
        var bracket = name.IndexOf('[');
        if (bracket >= 0) name = name[..bracket];
        var dot = name.LastIndexOf('.');
        if (dot >= 0) name = name[(dot + 1)..];
        if (name == "paths") name = "path";
        var kebab = KebabBoundary().Replace(name, "$1-$2").ToLowerInvariant();
        return (new SourceMark("gitops app add", 0, 0), "--" + kebab);
    }

    public static bool IsValidName(string name) => name.Length <= MaxNameLength && AppName().IsMatch(name);

    public static bool IsValidProjectName(string name) => ProjectName().IsMatch(name);

    public static bool IsCommitId(string text) => HexId().IsMatch(text);

    /// <summary>Go durations ("30s", "1m30s", "2h", "500ms") or a plain number of seconds ("30", "2.5").</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        var s = text.Trim();
        if (double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }
        return GoDuration.TryParse(s, out value) && value >= TimeSpan.Zero;
    }

    /// <summary>git check-ref-format's rules for one branch or tag name, or null when the name is fine.</summary>
    public static string? RefNameProblem(string name)
    {
        if (name.Length == 0) return "it is empty";
        if (name.StartsWith("refs/", StringComparison.Ordinal)) return "write the short name, without refs/heads/ or refs/tags/";
        if (name.StartsWith('-')) return "it starts with '-'";
        if (name.StartsWith('/') || name.EndsWith('/') || name.Contains("//", StringComparison.Ordinal)) return "empty path component";
        if (name.EndsWith('.') || name.EndsWith(".lock", StringComparison.Ordinal)) return "it ends with '.' or '.lock'";
        if (name.Contains("..", StringComparison.Ordinal)) return "it contains '..'";
        if (name.Contains("@{", StringComparison.Ordinal) || name == "@") return "it contains '@{' or is '@'";
        if (name.Split('/').Any(c => c.StartsWith('.'))) return "a component starts with '.'";
        foreach (var c in name)
            if (c < 0x20 || c == 0x7f || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\')
                return $"it contains '{(c < 0x20 || c == 0x7f ? "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture) : c.ToString())}'";
        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex AppName();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ProjectName();

    [GeneratedRegex("^[0-9a-fA-F]{4,40}$", RegexOptions.CultureInvariant)]
    private static partial Regex HexId();

    [GeneratedRegex("([a-z0-9])([A-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex KebabBoundary();
}
