using GitOps.Reconciler.Hashing;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rendering;

namespace GitOps.Reconciler.Tests.Properties;

/// <summary>
/// Property: render → load → render is a fixed point, and the reloaded model equals the original one with
/// the same spec hashes (secrets compare by digest). Checked on every loadable corpus file, the examples and
/// generated applications.
/// </summary>
public sealed class RenderRoundTripTests
{
    public static TheoryData<string, string> LoadableInputs()
    {
        var data = new TheoryData<string, string>();
        var root = TestPaths.Corpus("");
        foreach (var f in Directory.GetFiles(TestPaths.Corpus("compose/awesome"), "compose.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            if (!f.Contains("plex", StringComparison.Ordinal)) data.Add(Path.GetRelativePath(root, f), "auto");
        foreach (var f in Directory.GetFiles(TestPaths.Corpus("swarm/dogvscat"), "stack-*.yml").Order(StringComparer.Ordinal))
            if (!f.Contains("override", StringComparison.Ordinal) && !f.Contains("elk", StringComparison.Ordinal) && !f.Contains("swarmprom", StringComparison.Ordinal)) data.Add(Path.GetRelativePath(root, f), "stack");
        foreach (var f in Directory.GetFiles(TestPaths.Corpus("k8s/kubernetes-examples"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            if (!f.Contains("-template", StringComparison.Ordinal)) data.Add(Path.GetRelativePath(root, f), "auto");
        data.Add("k8s/kubeconform/fixtures/list_valid.yaml", "auto");
        data.Add("k8s/website/secret/dotfile-secret.yaml", "auto");
        data.Add("swarm/swarmprom/docker-compose.yml", "stack");
        foreach (var f in new[] { "analysis-templates", "rollout-canary", "rollout-bluegreen", "rollout-rolling-update", "rollout-template-ref", "rollout-secret" })
            data.Add($"rollouts/{f}.yaml", "auto");
        return data;
    }

    [Theory]
    [MemberData(nameof(LoadableInputs))]
    public void CorpusRenderIsAFixedPoint(string relative, string format)
    {
        var options = new LoadOptions { Format = format == "stack" ? ManifestFormat.Stack : ManifestFormat.Auto };
        AssertFixedPoint(Load.Files(options, TestPaths.Corpus(relative)), relative);
    }

    [Theory]
    [InlineData("pets/compose")]
    [InlineData("pets/stack")]
    [InlineData("pets/k8s")]
    public void ExampleRenderIsAFixedPoint(string example) => AssertFixedPoint(Load.Files(TestPaths.Examples(example)), example);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void GeneratedApplicationsRenderToAFixedPoint(int seed)
    {
        var env = new LoadOptions { Environment = Load.Env(("API_KEY", "k-" + seed)) };
        AssertFixedPoint(Load.Yaml("compose.yaml", AppGenerator.Compose(seed, 25), env), "compose seed " + seed);
        AssertFixedPoint(Load.Yaml("docker-stack.yml", AppGenerator.Compose(seed, 25, stack: true), env), "stack seed " + seed);
        AssertFixedPoint(Load.Yaml("app.yaml", AppGenerator.Kubernetes(seed, 15)), "kubernetes seed " + seed);
    }

    /// <summary>Every part of a rollout survives render → load: steps of each kind, analyses, templates, a job's pod template.</summary>
    [Fact]
    public void RolloutRenderIsAFixedPoint()
    {
        const string compose = """
            x-analysis-templates:
              smoke:
                args: [{name: path, value: /health}, {name: token, valueFrom: {secretKeyRef: {name: api, key: token}}}]
                metrics:
                - name: job
                  count: 1
                  provider:
                    job:
                      spec:
                        backoffLimit: 0
                        template:
                          spec:
                            restartPolicy: Never
                            containers: [{name: check, image: busybox, command: [sh, -c, "exit 0"]}]
                - name: web
                  interval: 10s
                  count: 3
                  failureLimit: 1
                  successCondition: result == "ok"
                  provider:
                    web: {url: "http://web{{args.path}}", jsonPath: "{$$.status}", headers: [{key: Authorization, value: "Bearer {{args.token}}"}]}
                dryRun: [{metricName: web}]
            services:
              web:
                image: busybox
                ports: ["8080:80"]
                deploy: {replicas: 4}
                x-rollout:
                  strategy: canary
                  protocol: http
                  maxSurge: 1
                  abortScaleDownDelaySeconds: 0
                  steps:
                  - setCanaryScale: {replicas: 2}
                  - setWeight: 20
                  - setHeaderRoute: {name: beta, match: [{headerName: X-Beta, headerValue: {prefix: "y"}}]}
                  - pause: {}
                  - pause: {duration: 90s}
                  - analysis: {templates: [{templateName: smoke}], args: [{name: path, value: /ready}]}
                  analysis:
                    startingStep: 2
                    metrics:
                    - {name: errors, interval: 30s, failureCondition: result > 0.05, provider: {router: {metric: errorRate, window: 2m, version: stable}}}
              api:
                image: busybox
                ports: ["9090:90"]
                x-rollout:
                  strategy: blue-green
                  previewPort: {published: 9091, target: 90}
                  previewReplicaCount: 1
                  autoPromotionEnabled: false
                  prePromotionAnalysis:
                    metrics: [{name: q, provider: {prometheus: {address: "http://prom:9090", query: "up"}}, successCondition: "result[0] == 1"}]
            secrets:
              api: {file: ./token}
            """;
        var dir = Load.TempDir();
        File.WriteAllText(Path.Combine(dir, "compose.yaml"), compose);
        File.WriteAllText(Path.Combine(dir, "token"), "t0ken");
        var first = Load.Files(Path.Combine(dir, "compose.yaml"));
        Assert.NotNull(first.Application?.Services["web"].Rollout);
        AssertFixedPoint(first, "x-rollout");
    }

    internal static void AssertFixedPoint(LoadResult first, string what)
    {
        Load.AssertValid(first, what);
        var app = first.Application!;
        var rendered = YamlOutput.Write(DesiredStateWriter.Write(app));

        var second = Load.Yaml("rendered.yaml", rendered);
        Load.AssertValid(second, what + " (rendered)");
        // Only the model-level checks may repeat themselves (a claim that must exist on the target still must).
        Assert.All(second.Warnings, w => Assert.StartsWith("semantic.", w.Code));
        var reloaded = second.Application!;
        Assert.Equal(rendered, YamlOutput.Write(DesiredStateWriter.Write(reloaded)));
        Assert.Equal(app, reloaded);
        foreach (var (name, service) in app.Services)
            Assert.Equal(SpecHash.Of(service), SpecHash.Of(reloaded.Services[name]));

        // JSON is the same document: loading it gives the same model.
        var json = Load.Yaml("rendered.json", JsonOutput.Write(DesiredStateWriter.Write(app)));
        Assert.Equal(app, json.Application);
    }
}
