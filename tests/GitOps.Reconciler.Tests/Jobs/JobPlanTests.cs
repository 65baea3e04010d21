using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Reconcile;
using GitOps.Reconciler.Reconcile.Jobs;

namespace GitOps.Reconciler.Tests.Jobs;

/// <summary>
/// What a plan does with run-to-completion work: a Job runs once per spec (never again for a poll, a heal or a
/// restart), a changed Job replaces its run, and a Compose one-off that ended is left alone unless it is asked for.
/// </summary>
public sealed class JobPlanTests
{
    static DesiredApp Compile(string yaml, string name = "app.yaml")
    {
        var result = Load.Yaml(name, yaml);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return Compiler.Compile("app", "p", "rev", result.Application!);
    }

    static string Job(string command = "echo done", int completions = 1, int parallelism = 1) => $$"""
        apiVersion: batch/v1
        kind: Job
        metadata: { name: migrate }
        spec:
          completions: {{completions}}
          parallelism: {{parallelism}}
          template:
            spec:
              restartPolicy: Never
              containers:
                - { name: m, image: bb, command: ["sh", "-c", "{{command}}"] }
        """;

    static readonly ActualApp Nothing = new([], new HashSet<string>(), new HashSet<string>(), []);

    /// <summary>The app's networks exist; nothing else.</summary>
    static ActualApp Networked(DesiredApp d) => Nothing with { Networks = d.Networks.Select(n => n.EngineName).ToHashSet(), OwnedNetworks = d.Networks.Select(n => n.EngineName).ToHashSet() };

    static JobStore Store() => new(Path.Combine(Load.TempDir(), "jobs.json"));

    static ActualContainer Container(string name, string service, string hash, string status, int exit, bool byUser = false) =>
        new(name + "-id", name, service, 1, null, hash, "rev", status, status == "running", null, "bb", [], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, exit) { StoppedByUser = byUser };

    [Fact]
    public void A_new_job_is_started_once_and_a_completed_one_never_again()
    {
        var desired = Compile(Job());
        var path = Path.Combine(Load.TempDir(), "jobs.json");
        var store = new JobStore(path);
        var plan = JobPlanner.Extend(Planner.Plan(desired, Nothing, AppPolicy.Default), desired, store);
        var start = Assert.Single(plan.Steps.OfType<StartJob>());
        Assert.Equal("job migrate: start (1 completion, parallelism 1)", start.Describe());
        Assert.DoesNotContain(plan.Steps, s => s is RolloutService); // no standing replica for a Job

        store.Put(new JobRecord { Name = "migrate", Service = "migrate", Hash = start.Hash, Phase = JobPhase.Complete, Succeeded = 1 });
        store.Save();
        // A completed pod, or none at all (ttlSecondsAfterFinished removed it), and a daemon restart (the status is reread): no step.
        var reread = new JobStore(path);
        Assert.Equal(JobPhase.Complete, reread.Job("migrate")!.Phase);
        foreach (var s in new[] { store, reread })
        {
            var again = JobPlanner.Extend(Planner.Plan(desired, Networked(desired), AppPolicy.Default with { SelfHeal = true }), desired, s);
            Assert.True(again.IsEmpty, string.Join("\n", again.Steps.Select(x => x.Describe())));
        }
        // Parallelism is not the run: changing it starts nothing new.
        var wider = Compile(Job(parallelism: 3));
        Assert.True(JobPlanner.Extend(Planner.Plan(wider, Networked(wider), AppPolicy.Default), wider, store).IsEmpty);
        // A changed template is a new run that replaces the old one.
        var changed = Compile(Job("echo v2"));
        var replace = Assert.Single(JobPlanner.Extend(Planner.Plan(changed, Nothing, AppPolicy.Default), changed, store).Steps.OfType<StartJob>());
        Assert.NotNull(replace.Previous);
        Assert.Contains("the spec changed: replace the complete run", replace.Describe());
        Assert.NotEqual(start.Hash, replace.Hash);
        Assert.NotEqual(start.Hash, JobIdentity.RunHash(Compile(Job(completions: 2)).Services[0]));
    }

    const string OneOff = """
        services:
          init:
            image: bb
            command: ["sh", "-c", "exit 0"]
            restart: "no"
          web:
            image: bb
            command: ["sleep", "3600"]
            restart: always
        """;

    [Fact]
    public void A_one_off_that_succeeded_is_never_restarted_and_one_that_failed_only_on_an_explicit_sync()
    {
        var desired = Compile(OneOff, "compose.yaml");
        var init = desired.Service("init")!;
        var web = desired.Service("web")!;
        ActualApp With(ActualContainer c) => Networked(desired) with { Containers = [c, Container("p-web-1", "web", web.Hash, "running", 0)] };
        var heal = AppPolicy.Default with { SelfHeal = true };

        Assert.True(Planner.Plan(desired, With(Container("p-init-1", "init", init.Hash, "exited", 0)), heal).IsEmpty);
        var failed = With(Container("p-init-1", "init", init.Hash, "exited", 3));
        Assert.True(Planner.Plan(desired, failed, heal).IsEmpty);
        Assert.Equal([1], Assert.Single(Planner.Plan(desired, failed, heal, rerunFailed: true).Steps.OfType<RolloutService>()).Start);
        // Stopped by hand (gitops stop): drift, healed whatever the exit code.
        Assert.Single(Planner.Plan(desired, With(Container("p-init-1", "init", init.Hash, "exited", 0, byUser: true)), heal).Steps);

        var (health, reason) = AppHealth.Of(desired, failed, [], Store());
        Assert.Equal(AppHealth.Degraded, health);
        Assert.Equal("service init: p-init-1 exited (3)", reason);
        Assert.Equal(AppHealth.Healthy, AppHealth.Of(desired, With(Container("p-init-1", "init", init.Hash, "exited", 0)), [], Store()).Health);
    }

    [Fact]
    public void Stack_restart_condition_none_is_a_one_off_too()
    {
        var desired = Compile("services:\n  seed:\n    image: bb\n    deploy:\n      restart_policy:\n        condition: none\n", "docker-stack.yml");
        var seed = desired.Service("seed")!;
        var done = Networked(desired) with { Containers = [Container("p-seed-1", "seed", seed.Hash, "exited", 0)] };
        Assert.True(Planner.Plan(desired, done, AppPolicy.Default with { SelfHeal = true }).IsEmpty);
    }

    [Fact]
    public void Health_follows_the_jobs()
    {
        var desired = Compile(Job());
        var hash = JobIdentity.RunHash(desired.Services[0]);
        var store = Store();
        Assert.Equal(AppHealth.Progressing, AppHealth.Of(desired, Nothing, [], store).Health); // not started yet
        store.Put(new JobRecord { Name = "migrate", Service = "migrate", Hash = hash, Phase = JobPhase.Running });
        Assert.Equal(AppHealth.Progressing, AppHealth.Of(desired, Nothing, [], store).Health);
        store.Put(new JobRecord { Name = "migrate", Service = "migrate", Hash = hash, Phase = JobPhase.Complete });
        Assert.Equal((AppHealth.Healthy, (string?)null), AppHealth.Of(desired, Nothing, [], store));
        store.Put(new JobRecord { Name = "migrate", Service = "migrate", Hash = hash, Phase = JobPhase.Failed, Reason = "BackoffLimitExceeded", Message = "Job has reached the specified backoff limit" });
        Assert.Equal((AppHealth.Degraded, "job migrate failed: BackoffLimitExceeded: Job has reached the specified backoff limit"), AppHealth.Of(desired, Nothing, [], store));
    }

    [Fact]
    public void A_daemonset_is_one_replica_on_one_node_rolled_stop_first()
    {
        var desired = Compile("""
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: { name: agent }
            spec:
              selector: { matchLabels: { app: agent } }
              template:
                metadata: { labels: { app: agent } }
                spec:
                  containers: [{ name: a, image: bb }]
            """);
        var agent = desired.Services.Single();
        Assert.Equal((1, 1), (agent.Replicas, agent.FirstOrdinal));
        var step = Assert.Single(Planner.Plan(desired, Nothing, AppPolicy.Default).Steps.OfType<RolloutService>());
        Assert.Equal([1], step.Create);
        Assert.Equal("rolling, stop-first, 1 at a time", step.Strategy);
    }
}
