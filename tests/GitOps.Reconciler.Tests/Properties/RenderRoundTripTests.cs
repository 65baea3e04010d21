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
