using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Tests.Loading;

/// <summary>A Swarm stack is recognised by what it says, not only by its name; a named format always wins.</summary>
public sealed class StackDetectionTests
{
    private static SourceFormat FormatOf(LoadResult result, string service = "web")
    {
        Load.AssertValid(result, "stack detection");
        return result.Application!.Services[service].Format;
    }

    [Theory]
    [InlineData("deploy: {mode: global}")]
    [InlineData("deploy: {placement: {constraints: [node.role == manager]}}")]
    [InlineData("deploy: {update_config: {parallelism: 2}}")]
    [InlineData("deploy: {rollback_config: {parallelism: 1}}")]
    [InlineData("deploy: {endpoint_mode: dnsrr}")]
    public void ASwarmOnlySettingMakesAComposeNamedFileAStack(string deploy)
    {
        var result = Load.Yaml("compose.yaml", $"services:\n  web:\n    image: web:1\n    {deploy}\n");
        Assert.Equal(SourceFormat.Stack, FormatOf(result));
        var note = Assert.Single(result.Warnings, w => w.Code == "discovery.stack");
        Assert.Equal(4, note.Line);
        Assert.Contains("read as a Swarm stack because it uses deploy.", note.Message);
        Assert.Contains("--format compose", note.Message);
    }

    [Fact]
    public void AnOverlayNetworkMakesAStack()
    {
        var result = Load.Yaml("docker-compose.yml", "services:\n  web:\n    image: web:1\n    networks: [front]\nnetworks:\n  front:\n    driver: overlay\n");
        Assert.Equal(SourceFormat.Stack, FormatOf(result));
        Assert.Contains(result.Warnings, w => w.Code == "discovery.stack" && w.Line == 7 && w.Message.Contains("driver: overlay (network front) at line 7"));
    }

    [Theory]
    [InlineData("deploy: {mode: replicated, replicas: 2, endpoint_mode: vip, placement: {}, resources: {limits: {memory: 64m}}}")]
    [InlineData("deploy: {mode: '${MODE:-global}'}")]
    public void DefaultsWrittenOutAndVariablesAreNoSignal(string deploy)
    {
        var result = Load.Yaml("compose.yaml", $"services:\n  web:\n    image: web:1\n    {deploy}\n");
        Assert.Equal(SourceFormat.Compose, FormatOf(result));
        Assert.DoesNotContain(result.Warnings, w => w.Code == "discovery.stack");
    }

    [Fact]
    public void AFileNamedLikeAStackNeedsNoSignalAndGetsNoNote()
    {
        var result = Load.Yaml("docker-stack.yml", "services:\n  web:\n    image: web:1\n    deploy: {placement: {constraints: [node.role == manager]}}\n");
        Assert.Equal(SourceFormat.Stack, FormatOf(result));
        Assert.DoesNotContain(result.Warnings, w => w.Code == "discovery.stack");
    }

    [Fact]
    public void AStackReadAsComposeSaysWhichSwarmBehaviourItLoses()
    {
        var yaml = "services:\n  web:\n    image: web:1\n    ports: [\"8080:80\"]\n    deploy:\n      update_config: {order: start-first}\n  db:\n    image: db:1\n    deploy:\n      placement: {constraints: [node.role == manager]}\n";
        var result = Load.Yaml("docker-stack.yml", yaml, new LoadOptions { Format = ManifestFormat.Compose });
        Assert.Equal(SourceFormat.Compose, FormatOf(result));
        var warning = Assert.Single(result.Warnings, w => w.Code == "compose.stack-features");
        Assert.Equal((6, "services.web.deploy.update_config"), (warning.Line, warning.Path));
        Assert.Contains("deploy.update_config (service web) at line 6, deploy.placement (service db) at line 10", warning.Message);
        Assert.Contains("not restarted when they exit", warning.Message);           // restart policy
        Assert.Contains("recreated, all replicas stopped before new ones start", warning.Message); // db has no update_config
        Assert.Contains("bind on each container instead of the routing mesh", warning.Message);
    }

    [Fact]
    public void ANamedStackFormatReadsAnyFileAsAStackWithoutANote()
    {
        var result = Load.Yaml("compose.yaml", "services:\n  web:\n    image: web:1\n", new LoadOptions { Format = ManifestFormat.Stack });
        Assert.Equal(SourceFormat.Stack, FormatOf(result));
        Assert.Empty(result.Warnings);
    }

    [Theory]
    [InlineData("swarm/swarmprom/docker-compose.yml")]
    [InlineData("swarm/swarmpit/docker-compose.yml")]
    [InlineData("swarm/dogvscat/stack-proxy-global.yml")]
    public void SwarmCorpusStacksNamedLikeComposeFilesAreRecognised(string relative)
    {
        var result = Load.Files(TestPaths.Corpus(relative));
        Load.AssertValid(result, relative);
        Assert.All(result.Application!.Services.Values, s => Assert.Equal(SourceFormat.Stack, s.Format));
    }
}
