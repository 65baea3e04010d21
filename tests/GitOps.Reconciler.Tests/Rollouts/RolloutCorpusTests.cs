using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>
/// Argo Rollouts' own examples (tests/corpora/rollouts, see SOURCES.md) load as Argo reads them. Each is loaded with
/// analysis-templates.yaml beside it, as their "kubectl apply -f analysis-templates.yaml first" prerequisite says.
/// </summary>
public sealed class RolloutCorpusTests
{
    private static string Example(string name) => TestPaths.Corpus(Path.Combine("rollouts", name));

    private static Application LoadValid(params string[] names)
    {
        var result = Load.Files([.. names.Select(Example)]);
        Load.AssertValid(result, string.Join(", ", names));
        return result.Application!;
    }

    [Theory]
    [InlineData("rollout-canary.yaml")]
    [InlineData("rollout-bluegreen.yaml")]
    [InlineData("rollout-rolling-update.yaml")]
    [InlineData("rollout-secret.yaml")]
    [InlineData("rollout-template-ref.yaml")]
    [InlineData("rollout-background-analysis.yaml")]
    [InlineData("rollout-canary-preview.yaml")]
    public void Example_loads_with_the_analysis_templates(string name)
    {
        var app = LoadValid(name, "analysis-templates.yaml");
        var rollout = Assert.Single(app.Services.Values, s => s.Kind == WorkloadKind.Rollout);
        Assert.NotNull(rollout.Rollout);
    }

    [Fact]
    public void Analysis_templates_become_the_applications_templates()
    {
        var app = LoadValid("analysis-templates.yaml");
        Assert.Equal(["pass", "random-fail"], app.AnalysisTemplates.Keys.Order(StringComparer.Ordinal));
        var metric = Assert.Single(app.AnalysisTemplates["random-fail"].Metrics);
        Assert.Equal(("2", "5s", "1"), (metric.Count, metric.Interval, metric.FailureLimit));
        Assert.Equal(MetricProviderKind.Job, metric.Provider.Kind);
        Assert.Equal(0, metric.Provider.Job!.BackoffLimit);
        Assert.Equal("alpine:3.8", metric.Provider.Job.Template.Containers[0].Image);
    }

    /// <summary>The example needs a ClusterAnalysisTemplate 'always-pass' that exists in Argo's test cluster, not in the examples.</summary>
    [Fact]
    public void Analysis_step_example_names_a_cluster_template_the_examples_do_not_declare()
    {
        var result = Load.Files(Example("rollout-analysis-step.yaml"), Example("analysis-templates.yaml"));
        var error = Load.SingleError(result);
        Assert.Contains("ClusterAnalysisTemplate 'always-pass' not found", error.Message);
        Assert.EndsWith("rollout-analysis-step.yaml", error.File);
        Assert.Equal(38, error.Line);
    }

    [Fact]
    public void Canary_example_has_Argo_steps()
    {
        var spec = LoadValid("rollout-canary.yaml").Services["rollout-canary"].Rollout!;
        Assert.Equal(RolloutStrategyKind.Canary, spec.Strategy);
        Assert.Equal(
            ["setWeight: 20", "pause", "setWeight: 40", "pause: 40s", "setWeight: 60", "pause: 20s", "setWeight: 80", "pause: 20s"],
            spec.Canary!.Steps.Select(s => s.ToString()));
        // Argo's defaults.
        Assert.Equal(IntOrPercent.Percentage(25), spec.Canary.MaxSurge);
        Assert.Equal(TimeSpan.FromSeconds(30), spec.Canary.AbortScaleDownDelay);
        Assert.Equal(TimeSpan.FromSeconds(600), spec.ProgressDeadline);
        Assert.False(spec.ProgressDeadlineAbort);
    }

    [Fact]
    public void Blue_green_example_names_its_services_and_waits_for_promotion()
    {
        var app = LoadValid("rollout-bluegreen.yaml");
        var bg = app.Services["rollout-bluegreen"].Rollout!.BlueGreen!;
        Assert.Equal(("rollout-bluegreen-active", "rollout-bluegreen-preview"), (bg.ActiveService, bg.PreviewService));
        Assert.False(bg.AutoPromotionEnabled);
        Assert.Equal(TimeSpan.FromSeconds(30), bg.ScaleDownDelay);
        Assert.Contains("rollout-bluegreen-active", app.Routes.Keys);
    }

    [Fact]
    public void Workload_ref_takes_the_deployments_pod_template()
    {
        var app = LoadValid("rollout-template-ref.yaml");
        var rollout = app.Services["rollout-ref-deployment"];
        Assert.Equal(WorkloadKind.Rollout, rollout.Kind);
        Assert.Equal(5, rollout.Replication.Replicas);
        Assert.Equal("argoproj/rollouts-demo:blue", rollout.Template.Containers[0].Image);
        Assert.Equal(new WorkloadRef("Deployment", "rollout-ref-deployment", WorkloadScaleDown.Never), rollout.Rollout!.WorkloadRef);
    }

    [Fact]
    public void Secret_argument_stays_a_reference()
    {
        var app = LoadValid("rollout-secret.yaml");
        var arg = Assert.Single(app.AnalysisTemplates["analysis-secret"].Args);
        Assert.Equal(new SecretKeyRef("example-secret", "secretUrl"), arg.Secret);
        Assert.Null(arg.Value);
    }

    [Fact]
    public void Experiment_step_is_reported_and_skipped()
    {
        var result = Load.Files(Example("rollout-canary-preview.yaml"));
        Assert.Contains(result.Warnings, w => w.Code == "rollout.step-unsupported" && w.Message.Contains("experiment"));
        Assert.Empty(result.Application!.Services["rollout-canary-preview"].Rollout!.Canary!.Steps);
    }
}
