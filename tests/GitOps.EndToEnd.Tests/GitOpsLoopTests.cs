using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace GitOps.EndToEnd.Tests;

/// <summary>A daemon with a fast drift check and a webhook listener on a free loopback port.</summary>
public sealed class GitOpsFixture : DaemonFixture
{
    public static readonly int HookPort = FreePort();
    public const string HookSecret = "e2e-hook-secret";

    protected override string ExtraDaemonArgs => $"--drift-interval 500ms --webhook-listen 127.0.0.1:{HookPort} --config \"{ConfigFile()}\"";

    /// <summary>The webhook secret comes from the config file, as a user would set it.</summary>
    static string ConfigFile()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitops-e2e-config-" + HookPort);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "gitops.yaml");
        File.WriteAllText(file, $"webhook:\n  listen: 127.0.0.1:{HookPort}\n  secret: {HookSecret}\n");
        return file;
    }

    static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>A real Git repository in a temp directory, changed with the git CLI as a user would.</summary>
public sealed class TestRepo
{
    public TestRepo(string dir)
    {
        Dir = dir;
        Directory.CreateDirectory(dir);
        Git("init", "-q", "-b", "main");
        Git("config", "user.email", "e2e@example.test");
        Git("config", "user.name", "e2e");
    }

    public string Dir { get; }

    public string Commit(string message, params (string Path, string? Content)[] files)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(Dir, path);
            if (content is null) File.Delete(full);
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, content);
            }
        }
        Git("add", "-A");
        Git("commit", "-q", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    public string Git(params string[] args)
    {
        var r = Gitops.Exec("git", null, null, TimeSpan.FromSeconds(30), ["-C", Dir, .. args]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Out;
    }
}

public sealed class GitOpsLoopTests(GitOpsFixture d) : IClassFixture<GitOpsFixture>
{
    static string Compose(string webImage, string webEnv, int workers, bool withWorker = true) =>
        $"""
        name: shop
        services:
          web:
            image: {webImage}
            command: ["sh", "-c", "mkdir -p /www && echo $$GREETING > /www/index.html && exec httpd -f -p 80 -h /www"]
            environment:
              GREETING: {webEnv}
            ports:
              - "80"
        """ + (withWorker ? $"""

          worker:
            image: bb
            command: ["sleep", "3600"]
            deploy:
              replicas: {workers}
        """ : "") + "\n";

    Dictionary<string, string> Containers(string app)
    {
        var lines = d.Ok("ps", "-a", "--filter", $"label=gitops.app={app}", "--format", "{{.Names}} {{.ID}}").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1]);
    }

    JsonElement Status(string app)
    {
        using var doc = JsonDocument.Parse(d.Ok("status", "-o", "json", app));
        return doc.RootElement[0].Clone();
    }

    void WaitForRevision(string app, string commit, string sync = "Synced") =>
        Gitops.Eventually(() => Status(app) is var s && s.TryGetProperty("revision", out var r) && r.GetString() == commit && s.GetProperty("sync").GetString() == sync,
            TimeSpan.FromSeconds(60), $"{app} to reach {commit[..7]} ({sync}); log:\n{File.ReadAllText(d.DaemonLog)}");

    [Fact]
    public void Commits_converge_change_only_what_changed_scale_prune_reject_and_roll_back()
    {
        if (!d.Cli("image", "inspect", "bb2").Out.Contains("Id")) d.Ok("image", "import", d.BusyboxRootfs, "bb2");
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-shop"));
        var v1 = repo.Commit("v1", ("compose.yaml", Compose("bb", "hello", 1)));
        d.Ok("app", "add", "shop", "--repo", repo.Dir, "--branch", "main", "--interval", "1s", "--prune");
        WaitForRevision("shop", v1);
        var c1 = Containers("shop");
        Assert.Equal(["shop-web-1", "shop-worker-1"], c1.Keys.Order());
        var labels = d.Ok("inspect", "-f", "{{json .Config.Labels}}", "shop-web-1");
        Assert.Contains("\"gitops.revision\":\"" + v1 + "\"", labels);
        Assert.Contains("\"gitops.spec-hash\":\"sha256:", labels);

        // Nothing changed: a second sync touches nothing.
        d.Ok("sync", "shop");
        Assert.Equal(c1, Containers("shop"));
        Assert.Equal(0, d.Cli("diff", "shop").ExitCode);

        // v2 changes web's image and environment: only web is replaced.
        var v2 = repo.Commit("v2: new web", ("compose.yaml", Compose("bb2", "bonjour", 1)));
        WaitForRevision("shop", v2);
        var c2 = Containers("shop");
        Assert.Equal(c1["shop-worker-1"], c2["shop-worker-1"]);
        Assert.NotEqual(c1["shop-web-1"], c2["shop-web-1"]);
        Assert.Equal("bb2", d.Ok("inspect", "-f", "{{.Config.Image}}", "shop-web-1"));

        // v3 scales worker to 3: two new replicas, nothing replaced.
        var v3 = repo.Commit("v3: scale", ("compose.yaml", Compose("bb2", "bonjour", 3)));
        WaitForRevision("shop", v3);
        var c3 = Containers("shop");
        Assert.Equal(["shop-web-1", "shop-worker-1", "shop-worker-2", "shop-worker-3"], c3.Keys.Order());
        Assert.Equal(c2["shop-web-1"], c3["shop-web-1"]);
        Assert.Equal(c2["shop-worker-1"], c3["shop-worker-1"]);

        // An invalid commit is rejected whole, with file:line; what runs is untouched.
        var bad = repo.Commit("broken", ("compose.yaml", Compose("bb2", "bonjour", 3).Replace("replicas: 3", "replicas: three")));
        Gitops.Eventually(() => Status("shop").GetProperty("sync").GetString() == "Failed", TimeSpan.FromSeconds(30), "the bad commit to be rejected");
        var failed = Status("shop");
        Assert.Equal(v3, failed.GetProperty("revision").GetString());
        Assert.Contains(failed.GetProperty("errors").EnumerateArray(), e => e.GetString()!.StartsWith("compose.yaml:", StringComparison.Ordinal) && e.GetString()!.Contains("replicas"));
        Assert.Equal(c3, Containers("shop"));
        Assert.Contains("compose.yaml:", d.Cli("status", "shop").Out);

        // v4 removes worker: pruned.
        var v4 = repo.Commit("v4: no worker", ("compose.yaml", Compose("bb2", "bonjour", 3, withWorker: false)));
        WaitForRevision("shop", v4);
        Assert.Equal(["shop-web-1"], Containers("shop").Keys.Order());

        // History lists the applied revisions, newest first.
        var history = d.Ok("history", "shop");
        Assert.Contains(v4[..7], history);
        Assert.Contains(v1[..7], history);
        Assert.True(history.IndexOf(v4[..7], StringComparison.Ordinal) < history.IndexOf(v3[..7], StringComparison.Ordinal));
        _ = bad;

        // Rollback goes to the previous applied revision and pins it until a newer commit.
        var rolled = d.Cli("rollback", "shop");
        Assert.True(rolled.ExitCode == 0, rolled.ToString());
        Assert.Contains("pinned", rolled.Out);
        WaitForRevision("shop", v3);
        Thread.Sleep(2500); // two polls: the pin holds
        Assert.Equal(v3, Status("shop").GetProperty("revision").GetString());
        Assert.Contains("shop-worker-1", Containers("shop").Keys);
        var v5 = repo.Commit("v5", ("compose.yaml", Compose("bb", "hallo", 1, withWorker: false)));
        WaitForRevision("shop", v5);
        Assert.False(Status("shop").TryGetProperty("pinnedRevision", out _));

        d.Ok("app", "rm", "--remove-resources", "shop");
        Assert.Empty(Containers("shop"));
    }

    [Fact]
    public void Hand_removed_container_is_drift_reported_and_healed_only_under_self_heal()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-drift"));
        var yaml = "services:\n  a:\n    image: bb\n    command: [\"sleep\", \"3600\"]\n";
        var v1 = repo.Commit("v1", ("compose.yaml", yaml));
        d.Ok("app", "add", "watch", "--repo", repo.Dir, "--interval", "1h", "--project", "watch");
        d.Ok("app", "add", "heal", "--repo", repo.Dir, "--interval", "1h", "--project", "heal", "--self-heal");
        WaitForRevision("watch", v1);
        WaitForRevision("heal", v1);

        d.Ok("rm", "-f", "watch-a-1");
        d.Ok("rm", "-f", "heal-a-1");
        Gitops.Eventually(() => d.Ok("drift", "watch").Contains("watch-a-1"), TimeSpan.FromSeconds(20), "drift to be reported");
        var json = d.Ok("drift", "watch", "-o", "json");
        using (var doc = JsonDocument.Parse(json))
        {
            var item = doc.RootElement[0].GetProperty("items")[0];
            Assert.Equal("missing", item.GetProperty("kind").GetString());
            Assert.Equal("container/watch-a-1", item.GetProperty("resource").GetString());
            Assert.True(item.TryGetProperty("since", out _));
        }
        Assert.Equal(1, Status("watch").GetProperty("driftCount").GetInt32());
        Assert.True(File.Exists(Path.Combine(d.Root, "reconciler", "apps", "watch", "drift.json")));
        // Healed under self-heal; report-only leaves it alone.
        Gitops.Eventually(() => Containers("heal").ContainsKey("heal-a-1") && d.Ok("inspect", "-f", "{{.State.Status}}", "heal-a-1") == "running", TimeSpan.FromSeconds(20), "self-heal");
        Thread.Sleep(1500);
        Assert.False(Containers("watch").ContainsKey("watch-a-1"));

        // A stopped container and an extra one added by hand with the app's labels are drift too.
        d.Ok("stop", "-t", "0", "heal-a-1");
        d.Ok("run", "-d", "--name", "intruder", "--label", "gitops.app=watch", "--label", "gitops.service=a", "bb", "sleep", "3600");
        Gitops.Eventually(() => d.Ok("drift", "watch").Contains("intruder"), TimeSpan.FromSeconds(20), "the added container to be reported");
        Gitops.Eventually(() => d.Ok("inspect", "-f", "{{.State.Status}}", "heal-a-1") == "running", TimeSpan.FromSeconds(20), "the stopped one to be restarted");

        // gitops sync heals on request, whatever the policy.
        d.Ok("sync", "watch");
        Assert.True(Containers("watch").ContainsKey("watch-a-1"));
        Assert.False(Containers("watch").ContainsKey("intruder"));
        Gitops.Eventually(() => !d.Ok("drift", "watch").Contains("watch-a-1"), TimeSpan.FromSeconds(10), "drift to clear");

        d.Ok("app", "rm", "--remove-resources", "watch", "heal");
    }

    [Fact]
    public void A_signed_webhook_push_starts_a_sync_at_once_and_a_bad_signature_is_refused()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-hook"));
        var v1 = repo.Commit("v1", ("compose.yaml", "services:\n  h:\n    image: bb\n    command: [\"sleep\", \"3600\"]\n"));
        d.Ok("app", "add", "hook", "--repo", repo.Dir, "--branch", "main", "--interval", "1h");
        WaitForRevision("hook", v1);
        var v2 = repo.Commit("v2", ("compose.yaml", "services:\n  h:\n    image: bb\n    command: [\"sleep\", \"3601\"]\n"));

        var payload = new System.Text.Json.Nodes.JsonObject
        {
            ["ref"] = "refs/heads/main", ["after"] = v2,
            ["repository"] = new System.Text.Json.Nodes.JsonObject { ["clone_url"] = repo.Dir, ["html_url"] = repo.Dir },
        }.ToJsonString();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{GitOpsFixture.HookPort}/") };
        HttpRequestMessage Request(string signature)
        {
            var m = new HttpRequestMessage(HttpMethod.Post, "hooks") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
            m.Headers.Add("X-GitHub-Event", "push");
            m.Headers.Add("X-Hub-Signature-256", signature);
            return m;
        }
        var bad = http.Send(Request("sha256=" + new string('0', 64)));
        Assert.Equal(401, (int)bad.StatusCode);
        // The API itself is not on the TCP listener.
        Assert.Equal(404, (int)http.GetAsync("apps").Result.StatusCode);

        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(GitOpsFixture.HookSecret), Encoding.UTF8.GetBytes(payload)));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var ok = http.Send(Request(signature));
        Assert.Equal(202, (int)ok.StatusCode);
        WaitForRevision("hook", v2);
        // Within a second plus the container work (no poll: the interval is an hour).
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"took {sw.Elapsed}");
        d.Ok("app", "rm", "--remove-resources", "hook");
    }

    [Fact]
    public void Compose_up_ps_down_on_the_same_engine()
    {
        var dir = Path.Combine(d.Dir, "compose-proj");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "compose.yaml");
        File.WriteAllText(file, "name: cp\nservices:\n  s:\n    image: bb\n    command: [\"sh\", \"-c\", \"echo started; sleep 3600\"]\n");
        var up = d.Cli("compose", "-f", file, "up", "-d", "--scale", "s=2");
        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.Contains("cp-s-2", d.Ok("compose", "-f", file, "ps"));
        Gitops.Eventually(() => d.Ok("compose", "-f", file, "logs").Contains("cp-s-1 | started"), TimeSpan.FromSeconds(10), "logs");
        var bad = Path.Combine(dir, "bad.yaml");
        File.WriteAllText(bad, "services:\n  s:\n    image: bb\n    ports: [\"99999:80\"]\n");
        var rejected = d.Cli("compose", "-f", bad, "up", "-d");
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("bad.yaml:4", rejected.Stderr);
        d.Ok("compose", "-f", file, "down");
        Assert.DoesNotContain("cp-s-1", d.Ok("ps", "-a"));
    }

    [Fact]
    public void Daemon_killed_in_the_middle_of_an_apply_converges_after_restart_without_duplicates()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-crash"));
        // "slow" ignores SIGTERM, so stopping it takes its whole grace period: the apply of v2 is certainly
        // still under way (old slow stopping, the 20 replicas of w not yet made) when the daemon is killed,
        // on a fast machine or a slow one.
        static string Yaml(string version) =>
            "services:\n  slow:\n    image: bb\n    command: [\"sh\", \"-c\", \"trap '' TERM; while true; do sleep 1; done\"]\n" +
            $"    environment: {{ V: \"{version}\" }}\n    stop_grace_period: 4s\n" +
            "  w:\n    image: bb\n    command: [\"sleep\", \"3600\"]\n" +
            $"    environment: {{ V: \"{version}\" }}\n    depends_on: [slow]\n    deploy:\n      replicas: 20\n";
        var v1 = repo.Commit("v1", ("compose.yaml", Yaml("1")));
        d.Ok("app", "add", "crash", "--repo", repo.Dir, "--interval", "1h");
        WaitForRevision("crash", v1);
        var before = Containers("crash");
        var v2 = repo.Commit("v2", ("compose.yaml", Yaml("2")));
        // The sync call itself dies with the daemon; only the daemon's journal matters here.
        var syncing = Task.Run(() => d.Cli("sync", "crash"));
        var journal = Path.Combine(d.Root, "reconciler", "apps", "crash", "journal.json");
        Gitops.Eventually(() => File.Exists(journal), TimeSpan.FromSeconds(30), "the apply of v2 to start");
        Thread.Sleep(1000); // inside slow's 4 s grace period
        Assert.True(File.Exists(journal), "the apply finished before the daemon could be killed");
        d.KillDaemon();
        syncing.Wait(TimeSpan.FromSeconds(30));
        d.StartDaemon();
        WaitForRevision("crash", v2);
        var after = Containers("crash");
        var names = after.Keys.Order().ToList();
        Assert.Equal(new[] { "crash-slow-1" }.Concat(Enumerable.Range(1, 20).Select(i => $"crash-w-{i}")).Order(), names);
        Assert.All(names, n => Assert.Equal("running", d.Ok("inspect", "-f", "{{.State.Status}}", n)));
        // Every replica is new (v2), and nothing of v1 is left under another name.
        Assert.All(names, n => Assert.NotEqual(before[n], after[n]));
        Assert.All(names, n => Assert.Contains("V=2", d.Ok("inspect", "-f", "{{.Config.Env}}", n)));
        Assert.Contains("resuming", File.ReadAllText(d.DaemonLog));
        d.Ok("app", "rm", "--remove-resources", "crash");
    }
}
