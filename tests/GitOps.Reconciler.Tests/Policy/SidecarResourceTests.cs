using GitOps.Reconciler.Policy;
using Xunit;

namespace GitOps.Reconciler.Tests.Policy;

/// <summary>A pod's effective limit with native sidecars, as Kubernetes computes it (KEP-753).</summary>
public sealed class SidecarResourceTests
{
    static long Effective(string initContainers, string containers)
    {
        var result = Load.Yaml("p.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: " + initContainers + "\n  containers: " + containers + "\n");
        Load.AssertValid(result, "pod");
        return ResourceTotals.PerReplica(result.Application!.Services["p"].Template, c => c.Resources.MemoryLimit);
    }

    static string C(string name, int mi, bool sidecar = false) =>
        $"{{name: {name}, image: bb, {(sidecar ? "restartPolicy: Always, " : "")}resources: {{limits: {{memory: {mi}Mi}}}}}}";

    [Fact]
    public void SidecarsCountBesideTheAppContainers() =>
        Assert.Equal(96L << 20, Effective($"[{C("side", 32, sidecar: true)}]", $"[{C("app", 64)}]"));

    [Fact]
    public void AnInitContainerRunsBesideTheSidecarsStartedBeforeIt() =>
        // side (32) then setup (200) beside it: 232 at the peak, more than app + side (96).
        Assert.Equal(232L << 20, Effective($"[{C("side", 32, sidecar: true)}, {C("setup", 200)}]", $"[{C("app", 64)}]"));

    [Fact]
    public void APlainInitContainerBeforeTheSidecarsRunsAlone() =>
        Assert.Equal(150L << 20, Effective($"[{C("setup", 150)}, {C("side", 32, sidecar: true)}]", $"[{C("app", 64)}]"));
}
