using System.Security.Cryptography;
using System.Text;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Triggers;

namespace GitOps.Reconciler.Tests.Triggers;

public sealed class WebhookTests
{
    private const string Secret = "It's a Secret to Everybody";

    // Trimmed from real deliveries: the fields gitops reads, in their real places, among others it ignores.
    private const string GitHubPush = """
    {
      "ref": "refs/heads/main",
      "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
      "after": "59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5",
      "created": false, "deleted": false, "forced": false,
      "repository": {
        "id": 186853002, "name": "pets", "full_name": "acme/pets", "private": false,
        "html_url": "https://github.com/acme/pets",
        "url": "https://github.com/acme/pets",
        "git_url": "git://github.com/acme/pets.git",
        "ssh_url": "git@github.com:acme/pets.git",
        "clone_url": "https://github.com/acme/pets.git",
        "svn_url": "https://github.com/acme/pets",
        "default_branch": "main", "master_branch": "main"
      },
      "pusher": { "name": "ada", "email": "ada@example.org" },
      "head_commit": { "id": "59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5", "message": "Update compose.yaml" }
    }
    """;

    private const string GiteaPush = """
    {
      "ref": "refs/tags/v1.2.0",
      "before": "0000000000000000000000000000000000000000",
      "after": "28e1879d029cb852e4844d9c718537df08844e03",
      "compare_url": "",
      "commits": [],
      "repository": {
        "id": 1, "owner": {"login": "acme"}, "name": "pets", "full_name": "acme/pets",
        "html_url": "https://git.example.org/acme/pets",
        "ssh_url": "ssh://git@git.example.org:2222/acme/pets.git",
        "clone_url": "https://git.example.org/acme/pets.git",
        "default_branch": "main"
      },
      "pusher": {"login": "ada"}
    }
    """;

    private const string GitLabPush = """
    {
      "object_kind": "push",
      "ref": "refs/heads/release",
      "before": "95790bf891e76fee5e1747ab589903a6a1f80f22",
      "after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
      "checkout_sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
      "project": {
        "id": 15, "name": "Pets", "path_with_namespace": "acme/infra/pets",
        "web_url": "https://gitlab.example.com/acme/infra/pets",
        "git_ssh_url": "git@gitlab.example.com:acme/infra/pets.git",
        "git_http_url": "https://gitlab.example.com/acme/infra/pets.git",
        "default_branch": "main"
      },
      "repository": {
        "name": "Pets", "url": "git@gitlab.example.com:acme/infra/pets.git",
        "homepage": "https://gitlab.example.com/acme/infra/pets",
        "git_http_url": "https://gitlab.example.com/acme/infra/pets.git",
        "git_ssh_url": "git@gitlab.example.com:acme/infra/pets.git"
      }
    }
    """;

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);

    private static string Hmac(string secret, byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static AppSpec App(string repo, string? branch = null, string? tag = null, string? revision = null) =>
        new("pets", new AppSource(SourceKind.Git, repo, branch, tag, revision, null), ["."], AppSchedule.Default, AppPolicy.Default, null);

    [Fact]
    public void GitHubPushWithAValidSignature()
    {
        var body = Body(GitHubPush);
        var headers = new Dictionary<string, string> { ["x-github-event"] = "push", ["X-Hub-Signature-256"] = "sha256=" + Hmac(Secret, body), ["Content-Type"] = "application/json" };
        Assert.True(WebhookRequest.TryParse(headers, body, Secret, out var push, out var error), error);
        Assert.NotNull(push);
        Assert.Equal(WebhookProvider.GitHub, push.Provider);
        Assert.Equal("refs/heads/main", push.Ref);
        Assert.Equal("main", push.Branch);
        Assert.Equal("59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5", push.After);
        Assert.Equal("main", push.DefaultBranch);
        Assert.True(push.Signed);
        Assert.Contains("https://github.com/acme/pets.git", push.RepositoryUrls);
        Assert.Contains("git@github.com:acme/pets.git", push.RepositoryUrls);
    }

    [Fact]
    public void GitHubSignatureKnownVector()
    {
        // The example from GitHub's documentation on validating deliveries.
        var body = Encoding.UTF8.GetBytes("Hello, World!");
        Assert.Equal("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", Hmac(Secret, body));
    }

    [Theory]
    [InlineData(null, "missing X-Hub-Signature-256")]
    [InlineData("sha256=0000", "does not match")]
    [InlineData("sha1=abcd", "not of the form")]
    [InlineData("sha256=zz", "not hexadecimal")]
    public void GitHubBadSignaturesAreRejectedWithAReason(string? signature, string reason)
    {
        var body = Body(GitHubPush);
        var headers = new Dictionary<string, string> { ["X-GitHub-Event"] = "push" };
        if (signature is not null) headers["X-Hub-Signature-256"] = signature;
        Assert.False(WebhookRequest.TryParse(headers, body, Secret, out var push, out var error));
        Assert.Null(push);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void ASignatureOverADifferentBodyIsRejected()
    {
        var signed = Body(GitHubPush);
        var tampered = Body(GitHubPush.Replace("refs/heads/main", "refs/heads/evil", StringComparison.Ordinal));
        var headers = new Dictionary<string, string> { ["X-GitHub-Event"] = "push", ["X-Hub-Signature-256"] = "sha256=" + Hmac(Secret, signed) };
        Assert.False(WebhookRequest.TryParse(headers, tampered, Secret, out _, out var error));
        Assert.Contains("does not match", error);
        Assert.False(WebhookRequest.TryParse(headers, signed, "another secret", out _, out _));
    }

    [Fact]
    public void WithoutASecretDeliveriesAreAcceptedButMarkedUnsigned()
    {
        var headers = new Dictionary<string, string> { ["X-GitHub-Event"] = "push" };
        var result = WebhookRequest.Parse(headers, Body(GitHubPush), secret: null);
        Assert.Equal(WebhookOutcome.Push, result.Outcome);
        Assert.False(result.Push!.Signed);
        Assert.Contains("unsigned", result.Reason);
    }

    [Fact]
    public void GitHubPingIsAnsweredWithoutAPush()
    {
        var body = Body("""{"zen":"Design for failure.","hook_id":1,"hook":{"type":"Repository","events":["push"]}}""");
        var headers = new Dictionary<string, string> { ["X-GitHub-Event"] = "ping", ["X-Hub-Signature-256"] = "sha256=" + Hmac(Secret, body) };
        Assert.True(WebhookRequest.TryParse(headers, body, Secret, out var push, out var note));
        Assert.Null(push);
        Assert.Equal("ping", note);
        Assert.Equal(WebhookOutcome.Ping, WebhookRequest.Parse(headers, body, Secret).Outcome);
        // A forged ping is still rejected.
        headers["X-Hub-Signature-256"] = "sha256=" + Hmac("wrong", body);
        Assert.False(WebhookRequest.TryParse(headers, body, Secret, out _, out _));
    }

    [Fact]
    public void OtherEventsAreIgnored()
    {
        var body = Body("""{"action":"opened"}""");
        var headers = new Dictionary<string, string> { ["X-GitHub-Event"] = "issues", ["X-Hub-Signature-256"] = "sha256=" + Hmac(Secret, body) };
        var result = WebhookRequest.Parse(headers, body, Secret);
        Assert.Equal(WebhookOutcome.Ignored, result.Outcome);
        Assert.True(result.Accepted);
    }

    [Fact]
    public void GiteaTagPushWithItsOwnSignatureHeader()
    {
        var body = Body(GiteaPush);
        // Gitea sends GitHub-compatible headers too; its own take precedence.
        var headers = new Dictionary<string, string>
        {
            ["X-Gitea-Event"] = "push", ["X-GitHub-Event"] = "push", ["X-Gitea-Signature"] = Hmac(Secret, body),
        };
        var result = WebhookRequest.Parse(headers, body, Secret);
        Assert.Equal(WebhookOutcome.Push, result.Outcome);
        Assert.Equal(WebhookProvider.Gitea, result.Provider);
        Assert.Equal("v1.2.0", result.Push!.Tag);
        Assert.Null(result.Push.Branch);
        headers["X-Gitea-Signature"] = Hmac(Secret, body)[..^2] + "00";
        Assert.False(WebhookRequest.Parse(headers, body, Secret).Accepted);
        headers.Remove("X-Gitea-Signature");
        Assert.Contains("missing X-Gitea-Signature", WebhookRequest.Parse(headers, body, Secret).Reason);
    }

    [Fact]
    public void GitLabPushWithTheTokenHeader()
    {
        var body = Body(GitLabPush);
        var headers = new Dictionary<string, string> { ["X-Gitlab-Event"] = "Push Hook", ["X-Gitlab-Token"] = Secret };
        Assert.True(WebhookRequest.TryParse(headers, body, Secret, out var push, out _));
        Assert.Equal(WebhookProvider.GitLab, push!.Provider);
        Assert.Equal("release", push.Branch);
        Assert.Equal("da1560886d4f094c3e6c9ef40349f7d38b5d27d7", push.After);
        Assert.Contains("git@gitlab.example.com:acme/infra/pets.git", push.RepositoryUrls);
        headers["X-Gitlab-Token"] = Secret + "x";
        Assert.False(WebhookRequest.TryParse(headers, body, Secret, out _, out var error));
        Assert.Contains("does not match", error);
        headers.Remove("X-Gitlab-Token");
        Assert.False(WebhookRequest.TryParse(headers, body, Secret, out _, out _));
    }

    [Fact]
    public void MalformedDeliveriesAreRejected()
    {
        Assert.False(WebhookRequest.TryParse(new Dictionary<string, string>(), Body(GitHubPush), null, out _, out var none));
        Assert.Contains("not a GitHub", none);
        var headers = new Dictionary<string, string> { ["X-GitHub-Event"] = "push" };
        Assert.False(WebhookRequest.TryParse(headers, Body("{not json"), null, out _, out var json));
        Assert.Contains("not valid JSON", json);
        Assert.False(WebhookRequest.TryParse(headers, Body("""{"ref":"refs/heads/main"}"""), null, out _, out var repo));
        Assert.Contains("no repository URL", repo);
    }

    [Fact]
    public void MatchesAppsOnTheSameRepositoryFollowingThePushedRef()
    {
        var headers = new Dictionary<string, string> { ["X-GitHub-Event"] = "push" };
        var push = WebhookRequest.Parse(headers, Body(GitHubPush), null).Push!;
        // Any spelling of the repository: https with or without .git, ssh, scp-like, a trailing slash.
        Assert.True(push.Matches(App("https://github.com/acme/pets.git", branch: "main")));
        Assert.True(push.Matches(App("git@github.com:acme/pets", branch: "main")));
        Assert.True(push.Matches(App("ssh://git@github.com/Acme/Pets.git/", branch: "main")));
        Assert.True(push.Matches(App("https://token@github.com/acme/pets/")));
        Assert.False(push.Matches(App("https://github.com/acme/pets", branch: "dev")));
        Assert.False(push.Matches(App("https://github.com/acme/pets", tag: "v1")));
        Assert.False(push.Matches(App("https://github.com/acme/pets", revision: "59b20b8")));
        Assert.False(push.Matches(App("https://github.com/acme/other", branch: "main")));
        Assert.False(push.Matches(App("https://gitlab.com/acme/pets", branch: "main")));
        Assert.False(push.Matches(new AppSpec("local", new AppSource(SourceKind.Local, "/srv/pets", null, null, null, null), ["."], AppSchedule.Default, AppPolicy.Default, null)));

        // Default branch: known from the payload, from the mirror, or unknown (then any branch push matches).
        var feature = push with { Ref = "refs/heads/feature" };
        Assert.False(feature.Matches(App("https://github.com/acme/pets")));
        var noDefault = feature with { DefaultBranch = null };
        Assert.True(noDefault.Matches(App("https://github.com/acme/pets")));
        Assert.False(noDefault.Matches(App("https://github.com/acme/pets"), knownDefaultBranch: "main"));

        var gitea = WebhookRequest.Parse(new Dictionary<string, string> { ["X-Gitea-Event"] = "push" }, Body(GiteaPush), null).Push!;
        Assert.True(gitea.Matches(App("https://git.example.org/acme/pets", tag: "v1.2.0")));
        Assert.True(gitea.Matches(App("git@git.example.org:acme/pets.git", tag: "v1.2.0")));
        Assert.False(gitea.Matches(App("https://git.example.org/acme/pets", tag: "v1.2")));
        Assert.False(gitea.Matches(App("https://git.example.org/acme/pets")));

        var gitlab = WebhookRequest.Parse(new Dictionary<string, string> { ["X-Gitlab-Event"] = "Push Hook" }, Body(GitLabPush), null).Push!;
        Assert.True(gitlab.Matches(App("https://gitlab.example.com/acme/infra/pets", branch: "release")));
        Assert.False(gitlab.Matches(App("https://gitlab.example.com/acme/pets", branch: "release")));
    }
}
