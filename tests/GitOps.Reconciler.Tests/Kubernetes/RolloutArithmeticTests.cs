using GitOps.Reconciler.Kubernetes;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Tests.Kubernetes;

/// <summary>maxSurge/maxUnavailable as Kubernetes resolves them (deployment/util.ResolveFenceposts).</summary>
public sealed class RolloutArithmeticTests
{
    [Theory]
    [InlineData("25%", "25%", 1, 1, 0)]
    [InlineData("25%", "25%", 4, 1, 1)]
    [InlineData("25%", "25%", 10, 3, 2)] // 2.5 -> surge up to 3, unavailable down to 2
    [InlineData("0%", "10%", 3, 0, 1)]   // both round to 0: one may be unavailable so the rollout can move
    [InlineData("0", "1", 5, 0, 1)]
    [InlineData("50%", "0", 3, 2, 0)]
    [InlineData("100%", "100%", 7, 7, 7)]
    public void PercentagesRoundLikeKubernetes(string surge, string unavailable, int replicas, int expectedSurge, int expectedUnavailable)
    {
        var yaml = $"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: {replicas}
              strategy:
                type: RollingUpdate
                rollingUpdate:
                  maxSurge: {Quote(surge)}
                  maxUnavailable: {Quote(unavailable)}
              selector:
                matchLabels: {"{"}app: web{"}"}
              template:
                metadata:
                  labels: {"{"}app: web{"}"}
                spec:
                  containers:
                    - name: web
                      image: web:1
            """;
        var result = Load.Yaml("web.yaml", yaml);
        Load.AssertValid(result, "deployment");
        Assert.Equal((expectedSurge, expectedUnavailable), result.Application!.Services["web"].Update.Resolve(replicas));
    }

    [Fact]
    public void BothZeroIsRejectedAsTheApiServerDoes()
    {
        var result = Load.Yaml("web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: web:1}]}
            """);
        var error = Load.SingleError(result);
        Assert.Equal(("spec.strategy.rollingUpdate", 5, 29), (error.Path, error.Line, error.Column));
        Assert.Equal("maxSurge and maxUnavailable may not both be zero", error.Message);
    }

    [Fact]
    public void SwarmParallelismMapsOntoTheSameShape()
    {
        Assert.Equal((0, 2), Swarm.SwarmDefaults.FromSwarm(2, startFirst: false, TimeSpan.Zero, TimeSpan.Zero, FailureAction.Pause, 0).Resolve(6));
        Assert.Equal((2, 0), Swarm.SwarmDefaults.FromSwarm(2, startFirst: true, TimeSpan.Zero, TimeSpan.Zero, FailureAction.Pause, 0).Resolve(6));
        Assert.Equal((0, 6), Swarm.SwarmDefaults.FromSwarm(0, startFirst: false, TimeSpan.Zero, TimeSpan.Zero, FailureAction.Pause, 0).Resolve(6));
    }

    private static string Quote(string v) => v.EndsWith('%') ? $"\"{v}\"" : v;

    [Fact]
    public void KubeNamesQualifyOutsideTheDefaultNamespace()
    {
        Assert.Equal("web", KubeNames.Qualify("web", null));
        Assert.Equal("web", KubeNames.Qualify("web", "default"));
        Assert.Equal("web.shop", KubeNames.Qualify("web", "shop"));
    }
}
