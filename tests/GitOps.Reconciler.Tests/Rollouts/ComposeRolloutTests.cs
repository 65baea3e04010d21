using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>A Compose or stack service's x-rollout: Argo's vocabulary, schema-checked with file:line.</summary>
public sealed class ComposeRolloutTests
{
    [Fact]
    public void Canary_with_inline_router_metric_and_shared_template()
    {
        var result = Load.Yaml("compose.yaml", """
            x-analysis-templates:
              success-rate:
                args: [{name: threshold, value: "0.95"}]
                metrics:
                - name: success-rate
                  interval: 10s
                  failureLimit: 2
                  successCondition: result >= {{args.threshold}}
                  provider:
                    router: {metric: successRate, window: 30s}
            services:
              web:
                image: busybox
                ports: ["8080:80"]
                deploy: {replicas: 4}
                x-rollout:
                  strategy: canary
                  protocol: http
                  steps:
                  - setWeight: 25
                  - pause: {duration: 1m}
                  - analysis:
                      templates: [{templateName: success-rate}]
                      args: [{name: threshold, value: "0.99"}]
                  - setWeight: 75
                  - pause: {}
                  analysis:
                    startingStep: 1
                    metrics:
                    - name: p99
                      interval: 15s
                      successCondition: result < 300
                      provider:
                        router: {metric: latencyP99}
            """);
        Load.AssertValid(result, "x-rollout canary");
        var app = result.Application!;
        var spec = app.Services["web"].Rollout!;
        Assert.Equal(RolloutStrategyKind.Canary, spec.Strategy);
        Assert.True(spec.HttpTraffic);
        Assert.Equal(["setWeight: 25", "pause: 1m", "analysis", "setWeight: 75", "pause"], spec.Canary!.Steps.Select(s => s.ToString()));
        Assert.Equal(1, spec.Canary.Analysis!.StartingStep);
        Assert.Equal(RouterMetricKind.LatencyP99, spec.Canary.Analysis.Metrics[0].Provider.Router!.Metric);
        Assert.Equal("1m", spec.Canary.Analysis.Metrics[0].Provider.Router!.Window);
        Assert.Equal("2", app.AnalysisTemplates["success-rate"].Metrics[0].FailureLimit);
        Assert.Equal(WorkloadKind.Service, app.Services["web"].Kind);
    }

    [Fact]
    public void Blue_green_with_preview_port()
    {
        var result = Load.Yaml("compose.yaml", """
            services:
              web:
                image: busybox
                ports: ["8080:80"]
                x-rollout:
                  strategy: blue-green
                  previewPort: 8081
                  autoPromotionEnabled: false
                  scaleDownDelaySeconds: 10
                  prePromotionAnalysis:
                    metrics:
                    - name: smoke
                      provider:
                        web: {url: "http://web:80/health", jsonPath: "{$$.status}"}
                      successCondition: result == "ok"
            """);
        Load.AssertValid(result, "x-rollout blue-green");
        var bg = result.Application!.Services["web"].Rollout!.BlueGreen!;
        Assert.Equal(new PreviewPort(8081, null), bg.PreviewPort);
        Assert.Null(bg.ActiveService);
        Assert.False(bg.AutoPromotionEnabled);
        Assert.Equal(TimeSpan.FromSeconds(10), bg.ScaleDownDelay);
        Assert.Equal("smoke", bg.PrePromotionAnalysis!.Metrics[0].Name);
        // Compose interpolates x- extensions too: a JSONPath's $ is written $$.
        Assert.Equal("{$.status}", bg.PrePromotionAnalysis.Metrics[0].Provider.Web!.JsonPath);
    }

    [Fact]
    public void Schema_errors_carry_file_and_line()
    {
        var result = Load.Yaml("compose.yaml", """
            services:
              web:
                image: busybox
                x-rollout:
                  strategy: rainbow
                  stpes: []
            """);
        Assert.False(result.Succeeded);
        var errors = result.Errors.ToList();
        Assert.Contains(errors, e => e.Line == 5 && e.Message.Contains("canary"));
        Assert.Contains(errors, e => e.Line == 6 && e.Message.Contains("stpes"));
        Assert.All(errors, e => Assert.EndsWith("compose.yaml", e.File));
    }

    [Fact]
    public void Field_of_the_other_strategy_is_an_error()
    {
        var error = Load.SingleError(Load.Yaml("compose.yaml", """
            services:
              web:
                image: busybox
                ports: ["8080:80"]
                x-rollout:
                  strategy: canary
                  previewPort: 8081
            """));
        Assert.Equal(7, error.Line);
        Assert.Contains("blue-green", error.Message);
    }

    [Fact]
    public void Missing_template_and_bad_condition_are_reported_in_one_load()
    {
        var result = Load.Yaml("compose.yaml", """
            services:
              web:
                image: busybox
                x-rollout:
                  strategy: canary
                  steps:
                  - analysis:
                      templates: [{templateName: nope}]
                  - analysis:
                      metrics:
                      - name: bad
                        successCondition: result >>> 1
                        provider: {router: {metric: errorRate}}
            """);
        Assert.False(result.Succeeded);
        var lines = result.Errors.Select(e => e.Line).Order().ToList();
        Assert.Equal([8, 12], lines);
    }
}
