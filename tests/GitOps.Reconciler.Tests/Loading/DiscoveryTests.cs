using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Tests.Loading;

/// <summary>What a directory contributes, as docker compose and kubectl apply -f would read it.</summary>
public sealed class DiscoveryTests
{
    private const string Deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: api, image: api:1}]}\n";

    [Fact]
    public void ComposeProjectAndKubernetesFilesMakeOneApplication()
    {
        var result = Load.Text(new Dictionary<string, string>
        {
            ["compose.yaml"] = "services:\n  web:\n    image: web:1\n",
            ["compose.override.yaml"] = "services:\n  web:\n    image: web:2\n",
            ["api.yaml"] = Deployment,
        });
        Load.AssertValid(result, "mixed directory");
        var app = result.Application!;
        Assert.Equal(["api", "web"], app.Services.Keys);
        Assert.Equal("web:2", app.Services["web"].Template.Containers[0].Image);
        Assert.Equal(SourceFormat.Kubernetes, app.Services["api"].Format);
    }

    [Fact]
    public void AlternativeComposeFilesAreSkippedWithAWarning()
    {
        var result = Load.Text(new Dictionary<string, string>
        {
            ["docker-compose.yml"] = "services:\n  web:\n    image: web:1\n",
            ["docker-stack.yml"] = "services:\n  web:\n    image: web:1\n    deploy: {replicas: 3}\n",
        });
        Load.AssertValid(result, "compose + stack alternatives");
        Assert.Equal(1, result.Application!.Services["web"].Replication.Replicas);
        Assert.Contains(result.Warnings, w => w.Code == "discovery.skipped" && w.File.EndsWith("docker-stack.yml", StringComparison.Ordinal));
    }

    [Fact]
    public void ALoneStackFileIsTheProjectAndGetsSwarmDefaults()
    {
        var result = Load.Text(new Dictionary<string, string> { ["docker-stack.yml"] = "services:\n  web:\n    image: web:1\n" });
        Load.AssertValid(result, "stack directory");
        Assert.Equal(SourceFormat.Stack, result.Application!.Services["web"].Format);
        Assert.Equal(UpdateKind.Rolling, result.Application.Services["web"].Update.Kind);
    }

    [Fact]
    public void SubdirectoriesOnlyWithRecursive()
    {
        var files = new Dictionary<string, string> { ["k8s/api.yaml"] = Deployment };
        var flat = Load.Text(files);
        Assert.Empty(flat.Application!.Services);
        Assert.Contains(flat.Warnings, w => w.Code == "discovery.empty");
        Assert.Equal(["api"], Load.Text(files, new LoadOptions { Recursive = true }).Application!.Services.Keys);
    }

    [Fact]
    public void MissingPathIsAnError()
    {
        Assert.Equal("no such file or directory", Load.SingleError(Load.Files("/nonexistent/compose.yaml")).Message);
    }

    [Fact]
    public void DesiredStateDocumentsLoadNextToOtherFormats()
    {
        var first = Load.Text(new Dictionary<string, string> { ["api.yaml"] = Deployment });
        var rendered = Rendering.YamlOutput.Write(Rendering.DesiredStateWriter.Write(first.Application!));
        var result = Load.Text(new Dictionary<string, string> { ["state.yaml"] = rendered, ["compose.yaml"] = "services:\n  web:\n    image: web:1\n" });
        Load.AssertValid(result, "desired state + compose");
        Assert.Equal(first.Application!.Services["api"], result.Application!.Services["api"]);
    }

    [Fact]
    public void HandEditedDesiredStateWithATypoIsRejectedAtTheField()
    {
        var first = Load.Text(new Dictionary<string, string> { ["api.yaml"] = Deployment });
        var rendered = Rendering.YamlOutput.Write(Rendering.DesiredStateWriter.Write(first.Application!)).Replace("    replication:", "    replicaton:", StringComparison.Ordinal);
        var error = Load.SingleError(Load.Yaml("state.yaml", rendered));
        Assert.Equal(("services.api.replicaton", "unknown field 'replicaton'"), (error.Path, error.Message));
    }
}
