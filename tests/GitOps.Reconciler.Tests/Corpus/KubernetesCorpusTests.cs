using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rendering;

namespace GitOps.Reconciler.Tests.Corpus;

/// <summary>
/// kubeconform's fixtures give the outcomes of tests/corpora/k8s/kubeconform/EXPECTED.md, and every
/// kubernetes/examples and kubernetes/website manifest loads and renders. Only the kinds gitops runs have a
/// schema here; other kinds are kept as unsupported objects with a warning, which is kubeconform's
/// -ignore-missing-schemas outcome, and an error under --strict, which is its default outcome.
/// </summary>
public sealed class KubernetesCorpusTests
{
    private static string Fixture(string name) => TestPaths.Corpus("k8s/kubeconform/fixtures/" + name);

    [Theory]
    [InlineData("valid.yaml", 1)]
    [InlineData("valid.json", 1)]
    [InlineData("multi_valid.yaml", 6)]
    [InlineData("multi_valid_source.yaml", 6)]
    [InlineData("list_valid.yaml", 6)]
    [InlineData("list_empty_valid.yaml", 0)]
    [InlineData("blank.yaml", 0)]
    [InlineData("comment.yaml", 0)]
    [InlineData("int_or_string.yaml", 1)]
    [InlineData("null_string.yaml", 1)]
    [InlineData("null_array.yaml", 1)]
    [InlineData("unconventional_keys.yaml", 1)]
    [InlineData("same-object-different-namespace.yaml", 2)]
    [InlineData("same-object-different-namespace-default.yaml", 2)]
    [InlineData("duplicates-with-namespace-default.yaml", 2)]
    public void ValidFixtureLoadsWithItsResources(string fixture, int resources)
    {
        var result = Load.Files(Fixture(fixture));
        Load.AssertValid(result, fixture);
        Assert.Equal(resources, Count(result.Application!));
        Assert.DoesNotContain(result.Warnings, w => w.Code.StartsWith("k8s.unsupported-kind", StringComparison.Ordinal));
    }

    [Fact]
    public void FolderLoadsSevenResourcesFromTwoFiles()
    {
        var result = Load.Files(Fixture("folder"));
        Load.AssertValid(result, "folder/");
        Assert.Equal(7, Count(result.Application!));
    }

    [Fact]
    public void MultiWithListHasAServiceAndANamespace()
    {
        // kubeconform counts two resources; the Namespace only scopes names, so the model holds the Service.
        var result = Load.Files(new LoadOptions { Strict = true }, Fixture("multi_with_list.yaml"));
        Load.AssertValid(result, "multi_with_list.yaml");
        Assert.Equal(1, Count(result.Application!));
        Assert.Empty(result.Application!.Unsupported);
    }

    [Theory]
    [InlineData("quantity.yaml", "LimitRange")]
    [InlineData("full_domain_group.yaml", "RoleBinding")]
    [InlineData("valid_version.yaml", "HorizontalPodAutoscaler")]
    [InlineData("httpproxy.yaml", "HTTPProxy")]
    [InlineData("grafana-alert-rule-group-sample.yaml", "GrafanaAlertRuleGroup")]
    [InlineData("test_crd.yaml", "TrainingJob")]
    [InlineData("crd_schema.yaml", "CustomResourceDefinition")]
    public void KindWithoutSchemaIsKeptAndReportedAndFailsUnderStrict(string fixture, string kind)
    {
        var result = Load.Files(Fixture(fixture));
        Load.AssertValid(result, fixture);
        Assert.Equal(kind, result.Application!.Unsupported.Single().Kind);
        var warning = result.Warnings.Single(w => w.Code == "k8s.unsupported-kind");
        Assert.Contains($"kind {kind}", warning.Message);

        var strict = Load.Files(new LoadOptions { Strict = true }, Fixture(fixture));
        Assert.Contains(kind, Load.SingleError(strict).Message);
    }

    [Fact]
    public void InvalidReplicationControllerReplicasIsAStringNotAnInteger()
    {
        var errors = Load.Files(Fixture("invalid.yaml")).Errors.ToList();
        Assert.Contains(errors, e => e is { Path: "spec.replicas", Line: 6, Column: 13, Message: "expected an integer or null, got a string" });
        // The schemas are strict, as kubeconform -strict: the misspelt "templates" is reported too.
        Assert.Contains(errors, e => e is { Path: "spec.templates", Line: 9, Column: 3 } && e.Message.StartsWith("unknown property 'templates'", StringComparison.Ordinal));
    }

    [Fact]
    public void ListInvalidReportsItsSecondItem()
    {
        var result = Load.Files(Fixture("list_invalid.yaml"));
        Assert.Null(result.Application);
        Assert.Contains(result.Errors, e => e is { Path: "items[1].spec.replicas", Line: 26, Column: 15, Message: "expected an integer or null, got a string" });
        Assert.All(result.Errors, e => Assert.StartsWith("items[1]", e.Path));
    }

    [Fact]
    public void MultiInvalidServicePortIsAStringNotAnInteger()
    {
        var error = Load.SingleError(Load.Files(Fixture("multi_invalid.yaml")));
        Assert.Equal(("spec.ports[0].port", 12, 11, "expected an integer, got a string"), (error.Path, error.Line, error.Column, error.Message));
    }

    [Fact]
    public void FiveDocumentsWithoutKindAreFiveErrors()
    {
        var result = Load.Files(Fixture("multi_invalid_resources.yaml"));
        Assert.Equal([1, 3, 5, 7, 9], result.Errors.Select(e => e.Line));
        Assert.All(result.Errors, e => Assert.Equal("missing 'kind' key", e.Message));
    }

    [Theory]
    [InlineData("missing_kind.yaml", "missing 'kind' key")]
    [InlineData("missing_kind_value.yaml", "missing 'kind' key")]
    [InlineData("missing_apiversion.yaml", "missing 'apiVersion' key")]
    public void MissingKeys(string fixture, string message)
    {
        Assert.Equal(message, Load.SingleError(Load.Files(Fixture(fixture))).Message);
    }

    [Theory]
    [InlineData("duplicates.yaml", "ReplicationController", 26)]
    [InlineData("duplicates-with-namespace.yaml", "ReplicationController", 27)]
    [InlineData("duplicates-non-namespaced.yaml", "PersistentVolume", 25)]
    public void DuplicateResourcesAreErrorsAsInKubeval(string fixture, string kind, int line)
    {
        var error = Load.SingleError(Load.Files(Fixture(fixture)));
        Assert.Equal((line, "metadata.name"), (error.Line, error.Path));
        Assert.StartsWith($"duplicate {kind} ", error.Message);
        Assert.Contains("first declared at", error.Message);
    }

    [Fact]
    public void SkippedKindIsNeitherLoadedNorCheckedForDuplicates()
    {
        Assert.Single(Load.Files(Fixture("duplicates-skipped-kinds.yaml")).Errors);
        var skipped = Load.Files(new LoadOptions { SkipKinds = new HashSet<string> { "SkipThisKind" } }, Fixture("duplicates-skipped-kinds.yaml"));
        Load.AssertValid(skipped, "duplicates-skipped-kinds.yaml with SkipThisKind skipped");
        Assert.Empty(skipped.Application!.Unsupported);
    }

    [Fact]
    public void SameKindOfAnotherApiVersionIsNotADuplicate()
    {
        var result = Load.Files(Fixture("same-kind-different-api.yaml"));
        Load.AssertValid(result, "same-kind-different-api.yaml");
        Assert.Equal("nginx-deployment", result.Application!.Services.Single().Key);
        Assert.Contains(result.Warnings, w => w.Code == "k8s.unsupported-version" && w.Message.Contains("use apps/v1"));
    }

    [Fact]
    public void DuplicatePropertyIsAYamlErrorAtTheSecondKey()
    {
        // The DaemonSet schema is strict too, so the fixture's "replicas" (which DaemonSets do not have) is reported beside it.
        var errors = Load.Files(Fixture("duplicate_property.yaml")).Errors.ToList();
        Assert.Contains(errors, e => (e.Path, e.Line, e.Column, e.Message) == ("spec.template.spec.containers", 16, 7, "mapping key \"containers\" already defined at line 13"));
        Assert.Contains(errors, e => e is { Path: "spec.replicas", Line: 7, Column: 3 });
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void ExtraPropertyIsInvalidAsUnderKubeconformStrict()
    {
        // kubeconform -strict: a DaemonSet has no replicas. Our schemas are always strict.
        var error = Load.SingleError(Load.Files(Fixture("extra_property.yaml")));
        Assert.Equal(("spec.replicas", 7, 3), (error.Path, error.Line, error.Column));
        Assert.StartsWith("unknown property 'replicas'", error.Message);
    }

    [Fact]
    public void JobWithOnlyGenerateNameLoadsWithAWarningAndFailsUnderStrict()
    {
        // kubectl create would make a new name each time; gitops keeps the prefix as the name and says so.
        var result = Load.Files(Fixture("generate_name.yaml"));
        Load.AssertValid(result, "generate_name.yaml");
        var job = result.Application!.Services["pi-"];
        Assert.Equal(WorkloadKind.Job, job.Kind);
        Assert.Equal(4, job.Job!.BackoffLimit);
        Assert.Contains(result.Warnings, w => w.Message.Contains("generateName is not supported", StringComparison.Ordinal));
        Assert.Contains("generateName", Load.SingleError(Load.Files(new LoadOptions { Strict = true }, Fixture("generate_name.yaml"))).Message);
    }

    [Theory]
    [InlineData("grafanaalertrulegroup_v1beta1.json")]
    [InlineData("registry/trainingjob-sagemaker-v1.json")]
    public void CrdSchemaFilesAreNotManifests(string file)
    {
        // kubeconform reads these as schemas (-schema-location); as manifests they have no kind.
        Assert.Equal("missing 'kind' key", Load.SingleError(Load.Files(Fixture(file))).Message);
    }

    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        var root = TestPaths.Corpus("");
        foreach (var folder in new[] { "k8s/kubernetes-examples", "k8s/website" })
            foreach (var f in Directory.GetFiles(TestPaths.Corpus(folder), "*.y*ml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (!Path.GetFileName(f).Contains("-template", StringComparison.Ordinal))
                    data.Add(Path.GetRelativePath(root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void KubernetesExampleLoadsAndRenders(string relative)
    {
        var result = Load.Files(TestPaths.Corpus(relative));
        Load.AssertValid(result, relative);
        Assert.StartsWith("apiVersion: gitops/v1", YamlOutput.Write(DesiredStateWriter.Write(result.Application!)));
    }

    [Theory]
    [InlineData("k8s/kubernetes-examples/_archived/newrelic/newrelic-config-template.yaml", 7, 12, "data.config")]
    [InlineData("k8s/kubernetes-examples/_archived/storage/vitess/etcd-controller-template.yaml", 6, 14, "spec.replicas")]
    public void UnrenderedTemplatesFailAtTheirFirstPlaceholder(string relative, int line, int column, string path)
    {
        var error = Load.SingleError(Load.Files(TestPaths.Corpus(relative)));
        Assert.Equal((line, column, path), (error.Line, error.Column, error.Path));
        Assert.Contains("unrendered template", error.Message);
    }

    [Fact]
    public void GuestbookDirectoryWiresRoutesToTheirDeployments()
    {
        var result = Load.Files(TestPaths.Corpus("k8s/kubernetes-examples/web/guestbook"));
        Load.AssertValid(result, "guestbook");
        var app = result.Application!;
        Assert.Equal(["frontend", "redis-master", "redis-replica"], app.Services.Keys);
        Assert.Equal(["frontend"], app.Routes["frontend"].Backends);
        Assert.Equal(3, app.Services["frontend"].Replication.Replicas);
    }

    [Fact]
    public void ModelServingDirectoryResolvesItsClaim()
    {
        var result = Load.Files(TestPaths.Corpus("k8s/kubernetes-examples/AI/model-serving-tensorflow"));
        Load.AssertValid(result, "model-serving-tensorflow");
        Assert.DoesNotContain(result.Warnings, w => w.Code == "semantic.undeclared-claim");
        Assert.NotNull(result.Application!.Volumes["my-model-pvc"].Claim);
    }

    private static int Count(Application app) =>
        app.Services.Count + app.Routes.Count + app.Secrets.Count + app.Configs.Count + app.Volumes.Count + app.Unsupported.Count;
}
