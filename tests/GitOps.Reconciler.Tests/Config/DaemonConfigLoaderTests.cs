using System.Net;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Configuration;
using GitOps.Reconciler.Diagnostics;

namespace GitOps.Reconciler.Tests.Config;

public sealed class DaemonConfigLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gitops-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteConfig(string yaml)
    {
        var path = Path.Combine(_dir, "gitops.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void AValidFileBecomesAppsWithDefaultsApplied()
    {
        File.WriteAllText(Path.Combine(_dir, "token"), "ghp_secret\n");
        File.WriteAllText(Path.Combine(_dir, "hook-secret"), "s3cret\n");
        File.WriteAllText(Path.Combine(_dir, "id_ed25519"), "key");
        Directory.CreateDirectory(Path.Combine(_dir, "local-app"));
        var path = WriteConfig("""
            # gitops daemon --config gitops.yaml
            webhook: { listen: "127.0.0.1:9595", secretFile: hook-secret }
            telemetry: { otlpEndpoint: "http://127.0.0.1:4317", console: true }
            defaults: { interval: 1m30s, jitter: 0.2, prune: true, selfHeal: false, drift: report }
            applications:
              - name: pets
                repo: ./git/pets.git
                branch: main
                paths: [compose]
                project: petshop
              - name: api.v2
                repo: https://git.example.org/acme/api.git
                tag: v1.4.0
                interval: 45
                drift: heal
                prune: false
                auth: { username: deploy, tokenFile: token }
              - name: ops
                repo: git@git.example.org:acme/ops.git
                revision: 1A2B3C4D
                cron: "0 */5 * * * ?"
                auth: { sshKeyFile: id_ed25519 }
              - name: scratch
                source: local
                path: local-app
            """);
        var (config, diagnostics) = DaemonConfigLoader.Load(path);
        Assert.True(config is not null, string.Join("\n", diagnostics));
        Assert.Empty(diagnostics);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9595), config.Webhook!.Listen);
        Assert.Equal("s3cret", config.Webhook.Secret);
        Assert.DoesNotContain("s3cret", config.Webhook.ToString());
        Assert.DoesNotContain("s3cret", config.ToString());
        Assert.Equal(new Uri("http://127.0.0.1:4317"), config.Telemetry.OtlpEndpoint);
        Assert.True(config.Telemetry.Console);
        Assert.Equal(["pets", "api.v2", "ops", "scratch"], config.Apps.Select(a => a.Name));

        var pets = config.Apps[0];
        Assert.Equal(new AppSource(SourceKind.Git, Path.Combine(_dir, "git/pets.git"), "main", null, null, null), pets.Source);
        Assert.Equal(["compose"], pets.Paths);
        Assert.Equal("petshop", pets.ProjectName);
        Assert.Equal(new AppSchedule(TimeSpan.FromSeconds(90), 0.2, null), pets.Schedule);
        Assert.Equal(new AppPolicy(true, false, false, DriftMode.Report), pets.Policy);

        var api = config.Apps[1];
        Assert.Equal("v1.4.0", api.Source.Tag);
        Assert.Equal(TimeSpan.FromSeconds(45), api.Schedule.Interval);
        Assert.Equal(new AppPolicy(false, false, false, DriftMode.Heal), api.Policy);
        Assert.True(api.Policy.Heals);
        Assert.Equal("deploy", api.Source.Auth!.Username);
        Assert.Equal(Path.Combine(_dir, "token"), api.Source.Auth.TokenFile);
        Assert.Null(api.Source.Auth.Token);
        Assert.Equal(["."], api.Paths);

        var ops = config.Apps[2];
        Assert.Equal("1a2b3c4d", ops.Source.Revision);
        Assert.Equal("0 */5 * * * ?", ops.Schedule.Cron);
        Assert.Equal(Path.Combine(_dir, "id_ed25519"), ops.Source.Auth!.SshKeyFile);

        Assert.Equal(new AppSource(SourceKind.Local, Path.Combine(_dir, "local-app"), null, null, null, null), config.Apps[3].Source);
    }

    [Fact]
    public void EveryMistakeIsReportedWithItsLineAndPath()
    {
        var path = WriteConfig("""
            webhook:
              listen: "nowhere"
              secret: abc
              secretFile: /nonexistent/secret
            defaults:
              interval: 10q
            applications:
              - name: pets
                repo: /srv/git/pets.git
                branch: main
                tag: v1
                interval: 30x
              - name: Bad_Name!
                repo: https://example.org/x.git
                auth: { tokenFile: missing-token }
              - name: pets
                repo: /srv/git/pets.git
                cron: "every five minutes"
                jitter: 2
                drift: fix
                unknown: 1
              - name: nosource
                revision: main
                paths: [../outside, /abs]
            """);
        var (config, diagnostics) = DaemonConfigLoader.Load(path);
        Assert.Null(config);
        var errors = diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        string Find(int line, string pathText, string text)
        {
            var d = errors.SingleOrDefault(e => e.Line == line && e.Path == pathText && e.Message.Contains(text, StringComparison.Ordinal));
            Assert.True(d is not null, $"no error at line {line} {pathText} containing '{text}' in:\n{string.Join("\n", diagnostics)}");
            Assert.Equal(path, d.File);
            Assert.True(d.Column > 0);
            return d.ToString();
        }
        Find(2, "webhook.listen", "not an address:port");
        Find(4, "webhook.secretFile", "exclusive");
        Find(6, "defaults.interval", "'10q' is not a duration");
        Find(11, "applications[0].tag", "exclusive");
        Find(12, "applications[0].interval", "'30x' is not a duration");
        Find(13, "applications[1].name", "not a valid application name");
        Find(15, "applications[1].auth.tokenFile", "does not exist");
        Find(16, "applications[2].name", "already defined at line 8");
        Find(18, "applications[2].cron", "not a Quartz cron expression");
        Find(19, "applications[2].jitter", "at most 1");
        Find(20, "applications[2].drift", "expected one of 'report', 'heal'");
        Find(21, "applications[2].unknown", "unknown property");
        Find(22, "applications[3].repo", "needs repo");
        Find(23, "applications[3].revision", "not a commit id");
        Find(24, "applications[3].paths[0]", "leaves the repository");
        Find(24, "applications[3].paths[1]", "relative");
        // One finding per mistake: jitter and drift are not reported twice (schema and semantic check).
        Assert.Single(errors, e => e.Path == "applications[2].jitter");
        Assert.Single(errors, e => e.Path == "applications[2].drift");
        Assert.Matches(@"gitops\.yaml:12:\d+: error: applications\[0\]\.interval: '30x' is not a duration", Find(12, "applications[0].interval", "30x"));
        // Sorted as a compiler prints them.
        Assert.Equal(errors.OrderBy(e => e.Line).ThenBy(e => e.Column).Select(e => e.Line), errors.Select(e => e.Line));
    }

    [Fact]
    public void SyntaxErrorsAndStructureAreReportedToo()
    {
        var (config, diagnostics) = DaemonConfigLoader.Load(WriteConfig("applications:\n  - name: a\n    repo: [unclosed\n"));
        Assert.Null(config);
        Assert.Contains(diagnostics, d => d.Code == "yaml.syntax" && d.Line >= 3);

        (config, diagnostics) = DaemonConfigLoader.Load(WriteConfig("applications: {name: a}\n"));
        Assert.Null(config);
        Assert.Contains(diagnostics, d => d.Path == "applications" && d.Message.Contains("expected a sequence", StringComparison.Ordinal));

        (config, _) = DaemonConfigLoader.Load(WriteConfig("# nothing yet\n"));
        Assert.Same(DaemonConfig.Empty, config);

        (config, diagnostics) = DaemonConfigLoader.Load(Path.Combine(_dir, "absent.yaml"));
        Assert.Null(config);
        Assert.Contains("cannot read", Assert.Single(diagnostics).Message);
    }

    [Fact]
    public void TheCommandLineGetsTheSameChecksNamingOptions()
    {
        var (spec, diagnostics) = AppSpecValidator.ValidateCommandLine(new AppDraft
        {
            Name = "pets", Repo = "https://git.example.org/acme/pets.git", Branch = "main", Revision = "abc", Interval = "30x", TokenFile = "/nonexistent/token",
        }, baseDirectory: _dir);
        Assert.Null(spec);
        var text = string.Join("\n", diagnostics);
        Assert.Contains("gitops app add: error: --interval: '30x' is not a duration", text);
        Assert.Contains("--revision: branch, tag and revision are exclusive", text);
        Assert.Contains("--revision: 'abc' is not a commit id", text);
        Assert.Contains("--token-file: token file /nonexistent/token does not exist", text);

        (spec, diagnostics) = AppSpecValidator.ValidateCommandLine(new AppDraft { Name = "pets", Repo = "git@host:acme/pets.git", Token = "t0ken" });
        Assert.Null(spec);
        Assert.Contains(diagnostics, d => d.Message.Contains("http(s) only", StringComparison.Ordinal));

        (spec, diagnostics) = AppSpecValidator.ValidateCommandLine(new AppDraft { Name = "pets", Repo = "https://user:tok@host/x.git" });
        Assert.Null(spec);
        Assert.DoesNotContain("tok@", string.Join("\n", diagnostics));

        (spec, diagnostics) = AppSpecValidator.ValidateCommandLine(new AppDraft { Name = "pets", Repo = "https://host/acme/pets", Token = "t0ken", Interval = "2m" });
        Assert.NotNull(spec);
        Assert.Empty(diagnostics);
        Assert.Equal("t0ken", spec.Source.Auth!.Token);
        Assert.Equal("git", spec.Source.Auth.Username ?? "git");
        Assert.DoesNotContain("t0ken", spec.ToString());
        Assert.Equal(TimeSpan.FromMinutes(2), spec.Schedule.Interval);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("1m30s", 90)]
    [InlineData("2h", 7200)]
    [InlineData("45", 45)]
    [InlineData("1.5", 1.5)]
    [InlineData("500ms", 0.5)]
    public void DurationsInGoSyntaxOrSeconds(string text, double seconds)
    {
        Assert.True(AppSpecValidator.TryParseDuration(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("30x")]
    [InlineData("")]
    [InlineData("1m30")]
    [InlineData("-5s")]
    [InlineData("s")]
    public void BadDurations(string text) => Assert.False(AppSpecValidator.TryParseDuration(text, out _));

    [Theory]
    [InlineData("main", true)]
    [InlineData("feature/x-1", true)]
    [InlineData("v1.2.0", true)]
    [InlineData("refs/heads/main", false)]
    [InlineData("a..b", false)]
    [InlineData("with space", false)]
    [InlineData("x.lock", false)]
    [InlineData("-x", false)]
    public void RefNames(string name, bool valid) => Assert.Equal(valid, AppSpecValidator.RefNameProblem(name) is null);

    [Fact]
    public void AnApplicationNamesItsManifestFormatAndAnUnknownOneIsRefusedAtItsLine()
    {
        var (config, diagnostics) = DaemonConfigLoader.Load(WriteConfig("""
            applications:
              - name: pets
                repo: /srv/git/pets
                format: stack
              - name: plain
                repo: /srv/git/plain
            """));
        Assert.True(config is not null, string.Join("\n", diagnostics));
        Assert.Equal(Reconciler.Loading.ManifestFormat.Stack, config.Apps[0].Overrides?.Format);
        Assert.Null(config.Apps[1].Overrides);

        (config, diagnostics) = DaemonConfigLoader.Load(WriteConfig("applications:\n  - name: pets\n    repo: /srv/git/pets\n    format: swarm\n"));
        Assert.Null(config);
        var error = Assert.Single(diagnostics, d => d.Severity == Severity.Error);
        Assert.Equal((4, "applications[0].format"), (error.Line, error.Path));
    }
}
