using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Tests.Rollouts;

/// <summary>Rollout, AnalysisTemplate and Compose x-rollout loading: Argo's defaults, and every bad field at file:line:col.</summary>
public sealed class RolloutLoaderTests
{
    private const string Pod = """
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: busybox
        """;

    private static string Rollout(string strategy) => $"""
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata:
          name: web
        spec:
          replicas: 4
        {Pod}
          strategy:
        {strategy}
        """;

    [Fact]
    public void Misspelt_step_field_is_an_error_at_its_position()
    {
        var result = Load.Yaml("rollout.yaml", Rollout("""
                canary:
                  steps:
                  - setWeight: 20
                  - setWieght: 40
            """));
        var error = Load.SingleError(result);
        Assert.Equal((20, 9), (error.Line, error.Column));
        Assert.Contains("setWieght", error.Message);
        Assert.EndsWith("rollout.yaml", error.File);
    }

    [Fact]
    public void All_errors_are_collected_with_positions()
    {
        var result = Load.Text(new Dictionary<string, string>
        {
            ["rollout.yaml"] = Rollout("""
                    canary:
                      steps:
                      - setWeight: 150
                      - pause: {duration: soon}
                      - setWeight: 10
                        pause: {}
                      analysis:
                        startingStep: 9
                        templates:
                        - templateName: missing
                """),
            ["template.yaml"] = """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisTemplate
                metadata:
                  name: rate
                spec:
                  metrics:
                  - name: rate
                    successCondition: result[0] >=
                    interval: 1m
                    count: 3
                    failureLimit: 5
                    provider:
                      prometheus:
                        address: http://prometheus:9090
                        query: up
                """,
        });
        Assert.False(result.Succeeded);
        var errors = result.Errors.Select(e => (Path.GetFileName(e.File), e.Line, e.Code)).ToList();
        Assert.Contains(("rollout.yaml", 19, "manifest.value"), errors);          // setWeight 150
        Assert.Contains(("rollout.yaml", 20, "manifest.duration"), errors);       // duration: soon
        Assert.Contains(("rollout.yaml", 21, "rollout.step"), errors);           // two actions in one step
        Assert.Contains(("rollout.yaml", 24, "rollout.starting-step"), errors);
        Assert.Contains(("rollout.yaml", 26, "rollout.analysis-template"), errors);
        Assert.Contains(("template.yaml", 8, "rollout.condition"), errors);
        Assert.Contains(result.Errors, e => e.Code == "rollout.metric" && e.Message.Contains("count (3) must be >= failureLimit"));
    }

    [Fact]
    public void Strategy_must_be_one_of_canary_and_blue_green()
    {
        var both = Load.SingleError(Load.Yaml("r.yaml", Rollout("""
                canary: {}
                blueGreen: {activeService: web}
            """)));
        Assert.Contains("canary or blueGreen, not both", both.Message);
        var none = Load.SingleError(Load.Yaml("r.yaml", Rollout("    {}")));
        Assert.Contains("needs strategy.canary or strategy.blueGreen", none.Message);
    }

    [Fact]
    public void Blue_green_needs_an_active_service()
    {
        var error = Load.SingleError(Load.Yaml("r.yaml", Rollout("""
                blueGreen:
                  previewService: web-preview
            """)));
        Assert.Contains("activeService", error.Message);
        Assert.Equal(18, error.Line);
    }

    [Fact]
    public void Required_template_argument_must_be_passed()
    {
        var result = Load.Text(new Dictionary<string, string>
        {
            ["rollout.yaml"] = Rollout("""
                    canary:
                      steps:
                      - analysis:
                          templates: [{templateName: web-check}]
                """),
            ["template.yaml"] = """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisTemplate
                metadata: {name: web-check}
                spec:
                  args: [{name: host}]
                  metrics:
                  - name: ok
                    successCondition: result == true
                    provider:
                      web: {url: "http://{{args.host}}/ok", jsonPath: "{$.ok}"}
                """,
        });
        var error = Load.SingleError(result);
        Assert.Contains("args.host was not resolved", error.Message);
        Assert.Equal(20, error.Line);
    }

    [Fact]
    public void Arguments_from_field_refs_and_pod_template_hashes()
    {
        var result = Load.Text(new Dictionary<string, string>
        {
            ["rollout.yaml"] = Rollout("""
                    canary:
                      analysis:
                        templates: [{templateName: check}]
                        args:
                        - name: service
                          valueFrom: {fieldRef: {fieldPath: metadata.name}}
                        - name: hash
                          valueFrom: {podTemplateHashValue: Latest}
                      steps: [{setWeight: 50}]
                """),
            ["template.yaml"] = """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisTemplate
                metadata: {name: check}
                spec:
                  args: [{name: service}, {name: hash}]
                  metrics:
                  - name: ok
                    provider:
                      plugin:
                        gitops/router: {metric: successRate, window: 2m}
                    successCondition: result >= 0.99
                """,
        });
        Load.AssertValid(result, "rollout with arguments");
        var analysis = result.Application!.Services["web"].Rollout!.Canary!.Analysis!;
        Assert.Equal([new AnalysisRunArgument("service", "web", null), new AnalysisRunArgument("hash", null, PodTemplateHashValue.Latest)], analysis.Args);
        var metric = result.Application.AnalysisTemplates["check"].Metrics[0];
        Assert.Equal(new RouterMetric(RouterMetricKind.SuccessRate, "2m", PodTemplateHashValue.Latest), metric.Provider.Router);
    }

    [Fact]
    public void Http_service_named_by_the_rollout_enables_the_http_router()
    {
        var result = Load.Yaml("r.yaml", Rollout("""
                canary:
                  canaryService: web-canary
                  stableService: web-stable
                  steps: [{setHeaderRoute: {name: beta, match: [{headerName: X-Beta, headerValue: {exact: "1"}}]}}]
            """) + """

            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web-canary}
            spec:
              selector: {app: web}
              ports: [{port: 80, appProtocol: http}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web-stable}
            spec:
              selector: {app: web}
              ports: [{port: 80}]
            """);
        Load.AssertValid(result, "http rollout");
        var spec = result.Application!.Services["web"].Rollout!;
        Assert.True(spec.HttpTraffic);
        var route = spec.Canary!.Steps[0].HeaderRoute!;
        Assert.Equal(new HeaderMatch("X-Beta", HeaderMatchKind.Exact, "1"), Assert.Single(route.Matches));
    }

    [Fact]
    public void Abort_scale_down_delay_zero_keeps_the_canary_up()
    {
        var result = Load.Yaml("r.yaml", Rollout("""
                canary:
                  abortScaleDownDelaySeconds: 0
                  scaleDownDelaySeconds: 5
                  maxSurge: "50"
                  maxUnavailable: 0
            """));
        Load.AssertValid(result, "delays");
        var canary = result.Application!.Services["web"].Rollout!.Canary!;
        Assert.Null(canary.AbortScaleDownDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), canary.ScaleDownDelay);
        Assert.Equal(IntOrPercent.Percentage(50), canary.MaxSurge);
        Assert.Equal(IntOrPercent.Count(0), canary.MaxUnavailable);
    }

    [Fact]
    public void Unsupported_provider_is_an_error_because_dropping_it_would_weaken_the_gate()
    {
        const string template = """
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisTemplate
            metadata: {name: dd}
            spec:
              metrics:
              - name: errors
                provider:
                  datadog: {query: "sum:errors"}
            """;
        var error = Load.SingleError(Load.Yaml("t.yaml", template));
        Assert.Equal(("rollout.provider-unsupported", 8), (error.Code, error.Line));
    }
}
