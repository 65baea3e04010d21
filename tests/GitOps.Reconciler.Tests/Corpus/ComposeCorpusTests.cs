using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rendering;

namespace GitOps.Reconciler.Tests.Corpus;

/// <summary>Every awesome-compose file and every Swarm corpus file loads and renders.</summary>
public sealed class ComposeCorpusTests
{
    /// <summary>Variables a file needs to be complete (what its README tells users to set).</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> Required = new(StringComparer.Ordinal)
    {
        ["compose/awesome/plex/compose.yaml"] = Load.Env(("PLEX_MEDIA_PATH", "/srv/media")),
        ["swarm/swarmprom/docker-compose.traefik.yml"] = Load.Env(("DOMAIN", "example.test"), ("ADMIN_USER", "admin"), ("HASHED_PASSWORD", "$apr1$x")),
    };

    public static TheoryData<string> AwesomeFiles() => Files("compose/awesome");

    public static TheoryData<string> SwarmFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Files("swarm"))
            if (!f.EndsWith("stack-elk.override.yml", StringComparison.Ordinal)) data.Add(f);
        return data;
    }

    [Theory]
    [MemberData(nameof(AwesomeFiles))]
    public void AwesomeComposeFileLoadsAndRenders(string relative) => LoadsAndRenders(relative, ManifestFormat.Auto);

    [Theory]
    [MemberData(nameof(SwarmFiles))]
    public void SwarmCorpusFileLoadsAndRenders(string relative)
    {
        // dogvscat, swarmprom and swarmpit write stacks whatever the file name; example-voting-app has
        // stacks (docker-stack*.yml), Compose files that build images, and Kubernetes manifests.
        var stack = !relative.Contains("example-voting-app", StringComparison.Ordinal) || Path.GetFileName(relative).Contains("stack", StringComparison.Ordinal);
        LoadsAndRenders(relative, stack ? ManifestFormat.Stack : ManifestFormat.Auto);
    }

    [Fact]
    public void PlexWithoutItsMediaPathFailsAtTheVolumeWithTheUnsetVariableNamed()
    {
        var path = TestPaths.Corpus("compose/awesome/plex/compose.yaml");
        var result = Load.Files(path);
        var error = Load.SingleError(result);
        Assert.Equal((path, 10, 9, "services.plex.volumes[0]"), (error.File, error.Line, error.Column, error.Path));
        Assert.Contains("empty source", error.Message);
        // One finding, one message: the unset variable is the error's cause, not a second line about the same field.
        Assert.Contains("variable PLEX_MEDIA_PATH is not set", error.Message);
        Assert.DoesNotContain(result.Warnings, w => w.Line == 10);
    }

    [Fact]
    public void StackOverrideFileMergesOverItsBaseAndAddsTheUdpPort()
    {
        var result = Load.Files(new LoadOptions { Format = ManifestFormat.Stack },
            TestPaths.Corpus("swarm/dogvscat/stack-elk.yml"), TestPaths.Corpus("swarm/dogvscat/stack-elk.override.yml"));
        Load.AssertValid(result, "stack-elk.yml + stack-elk.override.yml");
        var logstash = result.Application!.Services["logstash"];
        Assert.Contains(logstash.Ports, p => p is { Target: 12201, Published: 12201, Protocol: "udp", Mode: PortMode.Ingress });
        Assert.Contains("logstash_pipeline", result.Application.Configs.Keys);
    }

    [Fact]
    public void StackOverrideAloneHasNoImageToRun()
    {
        var error = Load.SingleError(Load.Files(new LoadOptions { Format = ManifestFormat.Stack }, TestPaths.Corpus("swarm/dogvscat/stack-elk.override.yml")));
        Assert.Equal(5, error.Line);
        Assert.Contains("has no image", error.Message);
    }

    [Fact]
    public void StackDefaultTakesTheBcryptHashLiterallyAsDockerStackDeployDoes()
    {
        var result = Load.Files(new LoadOptions { Format = ManifestFormat.Stack }, TestPaths.Corpus("swarm/dogvscat/stack-elk.yml"));
        Load.AssertValid(result, "stack-elk.yml");
        Assert.Equal("admin:$2y$05$oZcj4FgdSFEYNCH0EH/3Vu7Hp72gkvEadHzMsDhGFkbvS/ZrKMKfK",
            result.Application!.Services["kibana"].Labels["traefik.http.middlewares.kibana-auth.basicauth.users"]);
    }

    [Fact]
    public void TheSameDefaultIsAnErrorUnderComposeRulesBecauseDefaultsNest()
    {
        var result = Load.Files(new LoadOptions { Format = ManifestFormat.Compose }, TestPaths.Corpus("swarm/dogvscat/stack-elk.yml"));
        var error = Load.SingleError(result);
        Assert.Equal((68, "services.kibana.deploy.labels['traefik.http.middlewares.kibana-auth.basicauth.users']"), (error.Line, error.Path));
        Assert.Contains("invalid interpolation format", error.Message);
    }

    [Fact]
    public void SwarmDefaultsFillWhatTheStackLeavesOut()
    {
        var result = Load.Files(new LoadOptions { Format = ManifestFormat.Stack }, TestPaths.Corpus("swarm/example-voting-app/docker-stack.yml"));
        Load.AssertValid(result, "docker-stack.yml");
        var vote = result.Application!.Services["vote"];
        Assert.Equal(Replication.Replicated(2), vote.Replication);
        Assert.Equal(UpdateKind.Rolling, vote.Update.Kind);
        Assert.Equal((IntOrPercent.Count(0), IntOrPercent.Count(1)), (vote.Update.MaxSurge, vote.Update.MaxUnavailable));
        Assert.Equal(TimeSpan.FromSeconds(5), vote.Update.Monitor);
        Assert.Equal(FailureAction.Pause, vote.Update.FailureAction);
        Assert.Equal(new RestartPolicy(RestartCondition.Always, null, TimeSpan.FromSeconds(5), TimeSpan.Zero), vote.Template.Restart);
        Assert.Equal(PortMode.Ingress, vote.Ports.Single().Mode);
        Assert.Equal("overlay", result.Application.Networks["frontend"].Driver);
    }

    [Fact]
    public void GlobalModeAndPlacementOfASwarmpromStack()
    {
        var result = Load.Files(new LoadOptions { Format = ManifestFormat.Stack }, TestPaths.Corpus("swarm/swarmprom/docker-compose.yml"));
        Load.AssertValid(result, "swarmprom");
        var services = result.Application!.Services;
        Assert.Equal(ReplicationMode.Global, services["cadvisor"].Replication.Mode);
        Assert.Contains("node.role==manager", services["grafana"].Placement.Constraints);
        Assert.Equal(128L * 1024 * 1024, services["grafana"].Template.Containers[0].Resources.MemoryLimit);
    }

    private static void LoadsAndRenders(string relative, ManifestFormat format)
    {
        var options = new LoadOptions { Format = format, Environment = Required.GetValueOrDefault(relative) ?? [] };
        var result = Load.Files(options, TestPaths.Corpus(relative));
        Load.AssertValid(result, relative);
        var yaml = YamlOutput.Write(DesiredStateWriter.Write(result.Application!));
        Assert.StartsWith("apiVersion: gitops/v1", yaml);
        Assert.True(result.Application!.Services.Count + result.Application.Routes.Count > 0, relative + " should define something to run");
    }

    private static TheoryData<string> Files(string folder)
    {
        var data = new TheoryData<string>();
        var root = TestPaths.Corpus("");
        foreach (var f in Directory.GetFiles(TestPaths.Corpus(folder), "*.y*ml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, f).Replace('\\', '/'));
        return data;
    }
}
