using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace GitOps.EndToEnd.Tests;

/// <summary>
/// Typed outcomes through the real binary: a repository that becomes unreachable is Transient and retried on a
/// growing back-off shown in <c>gitops status</c> and <c>gitops app inspect</c>, and recovers when it is back; an
/// invalid commit is Stalled and not retried until a new commit.
/// </summary>
public sealed class ReconcileOutcomeTests(GitOpsFixture d) : IClassFixture<GitOpsFixture>
{
    const string App = "services:\n  s:\n    image: bb\n    command: [\"sleep\", \"3600\"]\n";

    JsonElement Status(string app)
    {
        using var doc = JsonDocument.Parse(d.Ok("status", "-o", "json", app));
        return doc.RootElement[0].Clone();
    }

    static string? Str(JsonElement s, string name) => s.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static int Attempts(JsonElement s) => s.TryGetProperty("attempts", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt32() : 0;

    string Log => File.ReadAllText(d.DaemonLog);

    void WaitFor(string app, Func<JsonElement, bool> condition, string what, int seconds = 60) =>
        Gitops.Eventually(() => condition(Status(app)), TimeSpan.FromSeconds(seconds), $"{app}: {what}; status: {d.Cli("status", "-o", "json", app).Out}\nlog:\n{Log}");

    [Fact]
    public void An_unreachable_repository_is_transient_with_a_growing_back_off_and_recovers_when_it_is_back()
    {
        var served = Path.Combine(d.Dir, "served");
        var repo = new TestRepo(Path.Combine(served, "flaky"));
        var v1 = repo.Commit("v1", ("compose.yaml", App));
        var port = FreePort();
        Process? server = GitDaemon(served, port);
        try
        {
            d.Ok("app", "add", "flaky", "--repo", $"git://127.0.0.1:{port}/flaky", "--branch", "main", "--interval", "1s", "--prune");
            WaitFor("flaky", s => Str(s, "revision") == v1 && Str(s, "sync") == "Synced" && Str(s, "outcome") == "Applied", "v1 applied");

            Stop(server);
            server = null;
            // Each transient failure pushes the next attempt further out: watch three in a row.
            var seen = new List<(int Attempts, DateTimeOffset Next, DateTimeOffset Last)>();
            Gitops.Eventually(() =>
            {
                var s = Status("flaky");
                if (Str(s, "outcome") == "Transient" && Str(s, "nextAttempt") is { } next && Attempts(s) is > 0 and var n && seen.All(x => x.Attempts != n))
                    seen.Add((n, DateTimeOffset.Parse(next), DateTimeOffset.Parse(Str(s, "lastAttempt")!)));
                return seen.Count >= 3;
            }, TimeSpan.FromSeconds(60), $"three transient attempts; seen {string.Join(", ", seen)}; log:\n{Log}");
            var status = Status("flaky");
            Assert.Equal("Failed", Str(status, "sync"));
            Assert.Equal(v1, Str(status, "revision")); // what runs is left alone
            Assert.Contains("network error", Str(status, "message"));
            for (var i = 1; i < seen.Count; i++)
            {
                Assert.True(seen[i].Attempts > seen[i - 1].Attempts, string.Join(", ", seen));
                Assert.True(seen[i].Next > seen[i - 1].Next, string.Join(", ", seen));
                // The wait after an attempt (next attempt less that attempt's start) grows with the attempts.
                Assert.True(seen[i].Next - seen[i].Last > seen[i - 1].Next - seen[i - 1].Last, string.Join(", ", seen));
            }
            Assert.Contains("transient (attempt", d.Ok("status", "flaky"));
            Assert.Contains("next attempt", d.Ok("status", "flaky"));
            Assert.Contains("\"nextAttempt\"", d.Ok("app", "inspect", "flaky"));
            Assert.Contains("\"outcome\": \"Transient\"", d.Ok("app", "inspect", "flaky"));

            // Back: the next retry (or poll) brings the application back, with a new commit applied.
            var v2 = repo.Commit("v2", ("compose.yaml", App.Replace("3600", "3601", StringComparison.Ordinal)));
            server = GitDaemon(served, port);
            WaitFor("flaky", s => Str(s, "revision") == v2 && Str(s, "sync") == "Synced" && Str(s, "outcome") == "Applied", "recovery to v2");
            var recovered = Status("flaky");
            Assert.Null(Str(recovered, "nextAttempt"));
            Assert.Equal(0, Attempts(recovered));
        }
        finally
        {
            d.Cli("app", "rm", "--remove-resources", "flaky");
            Stop(server);
        }
    }

    [Fact]
    public void An_invalid_commit_is_stalled_and_not_retried_until_a_new_commit()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-stall"));
        var v1 = repo.Commit("v1", ("compose.yaml", App));
        d.Ok("app", "add", "stall", "--repo", repo.Dir, "--branch", "main", "--interval", "1s", "--prune");
        try
        {
            WaitFor("stall", s => Str(s, "revision") == v1 && Str(s, "outcome") == "Applied", "v1 applied");
            var bad = repo.Commit("broken", ("compose.yaml", App + "    ports: [\"not-a-port\"]\n"));
            WaitFor("stall", s => Str(s, "outcome") == "Stalled" && Str(s, "latestRevision") == bad, "the bad commit to stall");
            var stalled = Status("stall");
            Assert.Equal("Failed", Str(stalled, "sync"));
            Assert.Equal(v1, Str(stalled, "revision"));
            Assert.Null(Str(stalled, "nextAttempt")); // no retry of its own
            Assert.Contains("stalled: waits for a new commit", d.Ok("status", "stall"));

            // Polls keep coming (every second) but the same commit is not tried again: one rejection in the log.
            var polled = DateTimeOffset.Parse(Str(stalled, "lastAttempt")!);
            Gitops.Eventually(() => DateTimeOffset.Parse(Str(Status("stall"), "lastAttempt")!) > polled.AddSeconds(3), TimeSpan.FromSeconds(30), "three more polls");
            Assert.Equal(1, Count(Log, $"revision {bad[..7]} rejected"));
            Assert.Equal("Stalled", Str(Status("stall"), "outcome"));

            // A new commit moves it on.
            var v3 = repo.Commit("fixed", ("compose.yaml", App.Replace("3600", "3602", StringComparison.Ordinal)));
            WaitFor("stall", s => Str(s, "revision") == v3 && Str(s, "sync") == "Synced" && Str(s, "outcome") == "Applied", "the fix applied");
        }
        finally { d.Cli("app", "rm", "--remove-resources", "stall"); }
    }

    static int Count(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary><c>git daemon</c> serving the repositories under <paramref name="baseDir"/> on loopback: a Git host that can go away and come back.</summary>
    static Process GitDaemon(string baseDir, int port)
    {
        var p = Process.Start(new ProcessStartInfo("git", ["daemon", "--export-all", "--reuseaddr", "--listen=127.0.0.1", $"--port={port}", $"--base-path={baseDir}", baseDir])
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        })!;
        Gitops.Eventually(() => Listening(port), TimeSpan.FromSeconds(10), $"git daemon on port {port}");
        return p;
    }

    static bool Listening(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException) { return false; }
    }

    static void Stop(Process? p)
    {
        if (p is null) return;
        if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(); }
        p.Dispose();
    }

    static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
