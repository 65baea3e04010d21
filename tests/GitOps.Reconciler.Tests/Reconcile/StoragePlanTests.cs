using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Reconcile;
using Xunit;

namespace GitOps.Reconciler.Tests.Reconcile;

/// <summary>The planner's storage rules, without an engine: what is created, what changes roll, what data is never lost.</summary>
public sealed class StoragePlanTests
{
    static DesiredApp Compile(string compose, params (string Name, string Text)[] files)
    {
        var all = new Dictionary<string, string> { ["compose.yaml"] = compose };
        foreach (var (n, t) in files) all[n] = t;
        var result = Load.Text(all, null, "compose.yaml");
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var dir = Path.GetDirectoryName(result.Diagnostics.FirstOrDefault()?.File ?? "") is { Length: > 0 } d ? d : null;
        return Compiler.Compile("app", "p", "rev", result.Application!, dir);
    }

    const string Compose = """
        services:
          s:
            image: bb
            volumes: [data:/data]
            secrets: [pw]
        volumes:
          data: {}
        secrets:
          pw:
            file: ./pw.txt
        """;

    static readonly ActualApp Nothing = new([], new HashSet<string>(), new HashSet<string>(), []);

    [Fact]
    public void Volumes_and_secrets_come_before_services_and_the_plan_shows_no_value()
    {
        var plan = Planner.Plan(Compile(Compose, ("pw.txt", "hunter2-plan-test")), Nothing, AppPolicy.Default);
        var kinds = plan.Steps.Select(s => s.Kind).ToList();
        Assert.Equal(["network", "volume", "secret", "service"], kinds);
        Assert.Equal("create volume p_data", plan.Steps[1].Describe());
        Assert.Equal("create secret p_pw", plan.Steps[2].Describe());
        Assert.All(plan.Steps, s => Assert.DoesNotContain("hunter2", s.Describe() + s));
    }

    [Fact]
    public void A_new_secret_value_changes_the_services_hash_and_an_unchanged_one_does_not()
    {
        var a = Compile(Compose, ("pw.txt", "one")).Services[0].Hash;
        var again = Compile(Compose, ("pw.txt", "one")).Services[0].Hash;
        var b = Compile(Compose, ("pw.txt", "two")).Services[0].Hash;
        Assert.Equal(a, again);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void A_volume_that_left_git_is_removed_only_with_prune_volumes_and_the_plan_says_what_data_goes()
    {
        var desired = Compile(Compose.Replace("volumes: [data:/data]", "volumes: []").Replace("volumes:\n  data: {}\n", ""), ("pw.txt", "x"));
        var actual = Nothing with { Volumes = new HashSet<string> { "p_data" }, OwnedVolumes = [new ActualVolume("p_data", null, null)] };

        var kept = Planner.Plan(desired, actual, new AppPolicy(Prune: true, PruneVolumes: false, false, DriftMode.Report));
        Assert.DoesNotContain(kept.Steps, s => s is RemoveVolume);
        Assert.Contains(kept.Warnings, w => w.Contains("volume p_data is no longer in Git", StringComparison.Ordinal));

        var pruned = Planner.Plan(desired, actual, new AppPolicy(Prune: true, PruneVolumes: true, false, DriftMode.Report));
        var step = Assert.Single(pruned.Steps.OfType<RemoveVolume>());
        Assert.Equal("volume p_data: every file in it is deleted", step.DataLoss);
        Assert.Same(step, pruned.Steps[^1]); // removals last
    }

    [Fact]
    public void A_secret_whose_value_could_not_be_read_never_replaces_the_engines_version()
    {
        var desired = Compile(Compose); // no pw.txt: the load warns, the secret has no value
        var actual = Nothing with { Objects = new Dictionary<(bool, string), ActualObject> { [(false, "p_pw")] = new("p_pw", false, true, "sha256:old") } };
        var plan = Planner.Plan(desired, actual, AppPolicy.Default);
        Assert.DoesNotContain(plan.Steps, s => s is EnsureObject);
        Assert.Contains(plan.Warnings, w => w.Contains("secret pw has no value", StringComparison.Ordinal));
    }

    [Fact]
    public void Scratch_volumes_of_replicas_that_are_gone_are_removed_and_claims_of_a_scaled_down_set_are_kept()
    {
        var desired = Compile(Compose, ("pw.txt", "x"));
        var actual = Nothing with
        {
            OwnedVolumes = [new ActualVolume("p-s-9_cache", "p-s-9", null), new ActualVolume("p_data-s-3", null, "s"), new ActualVolume("p-s-1_anon-abc", null, null, "p-s-1")],
        };
        var plan = Planner.Plan(desired, actual, new AppPolicy(true, true, false, DriftMode.Report));
        var removed = plan.Steps.OfType<RemoveVolume>().Select(r => r.Name).ToList();
        Assert.Equal(["p-s-9_cache"], removed);
        Assert.Null(plan.Steps.OfType<RemoveVolume>().Single().DataLoss);
    }
}
