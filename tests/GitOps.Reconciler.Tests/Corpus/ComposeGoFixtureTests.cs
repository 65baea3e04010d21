using GitOps.Reconciler.Compose;
using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Validation;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Tests.Corpus;

/// <summary>compose-go's fixtures give the outcomes listed in tests/corpora/compose/compose-go/EXPECTED.md.</summary>
public sealed class ComposeGoFixtureTests
{
    private static string Fixture(string relative) => TestPaths.Corpus("compose/compose-go/" + relative);

    private static LoadResult Compose(string relative, LoadOptions? options = null) =>
        Load.Files((options ?? new LoadOptions()) with { Format = ManifestFormat.Compose }, Fixture(relative));

    [Theory]
    [InlineData("loader/testdata/compose-depends-on-cycle.yaml", "dependency cycle detected: service1 -> service2 -> service3 -> service1", 14, 9)]
    [InlineData("loader/testdata/compose-depends-on-self.yaml", "dependency cycle detected: service1 -> service1", 6, 9)]
    public void DependencyCycleIsReportedWithComposeGosWording(string file, string message, int line, int column)
    {
        var error = Load.SingleError(Compose(file));
        Assert.Equal((message, line, column), (error.Message, error.Line, error.Column));
    }

    [Fact]
    public void ProfileNoCycleFixtureHasNoProfilesInThisSnapshotSoItsCycleIsReported()
    {
        // EXPECTED.md calls it valid "(cycle broken by profiles)" but notes no test uses it at this commit:
        // the copied file is identical to the cycle fixture and declares no profile, so the cycle stands.
        Assert.DoesNotContain("profiles", File.ReadAllText(Fixture("loader/testdata/compose-depends-on-profile-no-cycle.yaml")));
        var error = Load.SingleError(Compose("loader/testdata/compose-depends-on-profile-no-cycle.yaml"));
        Assert.Equal("dependency cycle detected: service1 -> service2 -> service3 -> service1", error.Message);
    }

    [Fact]
    public void ProfilesBreakTheCycleWhenTheyAreActuallyThere()
    {
        var text = File.ReadAllText(Fixture("loader/testdata/compose-depends-on-cycle.yaml"))
            .Replace("    image: service3\n", "    image: service3\n    profiles: [debug]\n", StringComparison.Ordinal);
        // service2 depends on service3 (disabled): an error that names the profile, not a cycle.
        var result = Load.Yaml("compose.yaml", text);
        var error = Load.SingleError(result);
        Assert.Equal("service 'service2' depends on service 'service3', which is not enabled (profiles: debug)", error.Message);
        Assert.StartsWith("dependency cycle detected", Load.Yaml("compose.yaml", text, new LoadOptions { Profiles = ["debug"] }).Errors.Single().Message);
    }

    [Fact]
    public void IncludeCycleIsDetected()
    {
        var error = Load.SingleError(Compose("loader/testdata/compose-include-cycle.yaml"));
        Assert.StartsWith("include cycle detected", error.Message);
        Assert.Equal((2, 5, "include[0]"), (error.Line, error.Column, error.Path));
    }

    [Fact]
    public void EmptyComposeFile()
    {
        var error = Load.SingleError(Compose("loader/testdata/empty.yaml"));
        Assert.Equal("empty compose file", error.Message);
    }

    [Theory]
    [InlineData("loader/testdata/remote/cycle/compose.yaml")]
    [InlineData("loader/testdata/remote/cycle/compose-cycle.yaml")]
    public void RemoteExtendsCycleIsACircularReference(string file)
    {
        var result = Compose(file, new LoadOptions { RemoteLoader = new RemotePrefixLoader(Fixture("loader/testdata/remote")) });
        Assert.Contains(result.Errors, e => e.Message.Contains("Circular reference", StringComparison.Ordinal));
        Assert.Null(result.Application);
    }

    [Fact]
    public void RemoteNestedExtendsLoadsThroughTheResourceLoader()
    {
        var result = Compose("loader/testdata/remote/nested/compose.yaml", new LoadOptions { RemoteLoader = new RemotePrefixLoader(Fixture("loader/testdata/remote")) });
        Load.AssertValid(result, "remote/nested");
        Assert.Equal("bar", result.Application!.Services["foo"].Template.Containers[0].Image);
    }

    [Fact]
    public void WithoutAResourceLoaderRemoteExtendsAreRefusedWhereTheyAreWritten()
    {
        var result = Compose("loader/testdata/remote/nested/compose.yaml");
        var error = result.Errors.Single(e => e.Path == "services.foo.extends.file");
        Assert.Equal((4, 13), (error.Line, error.Column));
        Assert.Contains("remote extends files are not supported", error.Message);
    }

    [Fact]
    public void BaseFixtureFailsTheSchemaAtItsNullServiceAndNamesTheServiceWithoutImage()
    {
        var result = Compose("loader/testdata/extends/base.yaml");
        var errors = result.Errors.ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e is { Path: "services.nil", Line: 25, Column: 7 } && e.Message == "expected a mapping, got null");
        Assert.Contains(errors, e => e is { Path: "services.with-port", Line: 9 } && e.Message.Contains("neither an image nor a build context"));
    }

    [Fact]
    public void ResetTagLeavesTheExtendedCommandNull()
    {
        var result = Compose("loader/testdata/extends/reset.yaml");
        Load.AssertValid(result, "reset.yaml");
        var services = result.Application!.Services;
        Assert.Null(services["base"].Template.Containers[0].Command);
        Assert.Equal(["sleep", "infinity"], services["init"].Template.Containers[0].Command!.Value);
        Assert.Equal("alpine:latest", services["base"].Template.Containers[0].Image);
    }

    [Fact]
    public void InterpolationInsideAnExtendedFileUsesItsDefaultOrTheVariable()
    {
        var unset = Compose("loader/testdata/extends/interpolated.yaml");
        Load.AssertValid(unset, "interpolated.yaml");
        Assert.Equal("/dev/null", unset.Application!.Services["foo"].Template.Containers[0].Mounts.Single().Source);
        var set = Compose("loader/testdata/extends/interpolated.yaml", new LoadOptions { Environment = Load.Env(("SOURCE", "/data")) });
        var mount = set.Application!.Services["foo"].Template.Containers[0].Mounts.Single();
        Assert.Equal((MountType.Bind, "/data", "/tmp/foo", true), (mount.Type, mount.Source, mount.Target, mount.ReadOnly));
    }

    [Fact]
    public void LegacyVersionKeyIsIgnoredWithAWarning()
    {
        var result = Compose("loader/testdata/compose-test-with-version.yaml");
        Load.AssertValid(result, "compose-test-with-version.yaml");
        Assert.Contains(result.Warnings, w => w.Path == "version" && w.Message.Contains("obsolete"));
        Assert.Equal(["other"], result.Application!.Services["web"].Template.VolumesFrom);
        Assert.Equal(["default", "front"], result.Application.Services["web"].Template.Networks.Select(n => n.Network));
    }

    [Fact]
    public void ExtendsResolvesPathsRelativeToTheExtendedFile()
    {
        var result = Compose("loader/testdata/compose-test-extends.yaml");
        Load.AssertValid(result, "compose-test-extends.yaml");
        var importer = result.Application!.Services["importer"].Template.Containers[0];
        Assert.Equal("nginx", importer.Image);
        // ./extra.env is read next to subdir/compose-test-extends-imported.yaml, not next to the extending file.
        Assert.Contains(new EnvVar("SOURCE", "extends", null), importer.Env);
        Assert.Equal(("/opt/data", "/var/lib/mysql"), (importer.Mounts.Single().Source, importer.Mounts.Single().Target));
    }

    [Fact]
    public void ExtendsChainAcrossDirectories()
    {
        var result = Compose("loader/testdata/extends/withdir/compose.yaml");
        Load.AssertValid(result, "withdir");
        Assert.Equal("hello-world", result.Application!.Services["test"].Template.Containers[0].Image);
    }

    [Fact]
    public void IncludedFileExtendsRelativeToItsOwnDirectory()
    {
        var result = Compose("loader/testdata/combined/compose.yaml");
        Load.AssertValid(result, "combined");
        Assert.Equal("./dir", result.Application!.Services["service"].Template.Containers[0].Build!.Context);
    }

    [Fact]
    public void IncludeWithProjectDirectoryReadsEnvFilesThere()
    {
        var result = Compose("loader/testdata/include/project-directory.yaml");
        Load.AssertValid(result, "project-directory.yaml");
        var service = result.Application!.Services["service"].Template.Containers[0];
        Assert.Contains(new EnvVar("SOURCE", "extends", null), service.Env);
        // Relative to the application's root (include/), the included project lives in ../subdir.
        Assert.Equal("../subdir/compose-test-extends-imported.yaml", service.Mounts.Single().Source);
    }

    [Fact]
    public void IncludeAddsTheImportedServices()
    {
        var result = Compose("loader/testdata/compose-include.yaml");
        Load.AssertValid(result, "compose-include.yaml");
        Assert.Equal(["bar", "imported"], result.Application!.Services.Keys);
        Assert.Contains(new EnvVar("FOO", "BAR", null), result.Application.Services["bar"].Template.Containers[0].Env);
    }

    [Fact]
    public void BuildContextUrlIsKeptAsAUrl()
    {
        var result = Compose("loader/testdata/compose-test-extends-with-context-url.yaml");
        Load.AssertValid(result, "context url");
        Assert.Equal("https://github.com/docker/compose.git", result.Application!.Services["importer-with-https-url"].Template.Containers[0].Build!.Context);
    }

    [Fact]
    public void MultiFileMergeOverridesTheImage()
    {
        var result = Load.Files(Fixture("cli/testdata/simple/compose.yaml"), Fixture("cli/testdata/simple/compose-with-overrides.yaml"));
        Load.AssertValid(result, "simple + overrides");
        Assert.Equal("haproxy", result.Application!.Services["simple"].Template.Containers[0].Image);
    }

    [Fact]
    public void DotEnvOfTheProjectDirectoryFeedsInterpolation()
    {
        var result = Compose("cli/testdata/simple/compose-with-variables.yaml");
        Load.AssertValid(result, "compose-with-variables.yaml");
        Assert.Equal(new PortBinding(80, 8000, "tcp", null, PortMode.Host, null, null), result.Application!.Services["simple"].Ports.Single());
    }

    [Fact]
    public void TheEnvironmentWinsOverDotEnv()
    {
        var result = Compose("cli/testdata/simple/compose-with-variables.yaml", new LoadOptions { Environment = Load.Env(("PUBLIC_PORT", "8123")) });
        Assert.Equal(8123, result.Application!.Services["simple"].Ports.Single().Published);
    }

    [Fact]
    public void ProjectNameIsInterpolated()
    {
        var result = Compose("cli/testdata/simple/compose-name.yaml", new LoadOptions { Environment = Load.Env(("TEST", "x")) });
        Assert.Equal("test-x-test", result.Application!.Name);
    }

    [Fact]
    public void RelativePathsStayRelativeToTheProject()
    {
        var result = Compose("cli/testdata/simple/compose-with-paths.yaml");
        Load.AssertValid(result, "compose-with-paths.yaml");
        Assert.Equal(["./C:\\docker\\project", "./relative", "./relative2"], result.Application!.Services["test"].Template.Containers[0].Mounts.Select(m => m.Source).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ComposeFileNamedInDotEnvIsTheDirectorysProject()
    {
        var result = Load.Files(Fixture("cli/testdata/env-file"));
        Load.AssertValid(result, "env-file directory");
        var app = result.Application!;
        Assert.Equal("my_project_from_dot_env", app.Name);
        Assert.Equal(8000, app.Services["simple"].Ports.Single().Published);
        Assert.Equal([new EnvVar("DEFAULT_PORT", "8080", null)], app.Services["simple"].Template.Containers[0].Env);
    }

    [Fact]
    public void EnvFilesMergeInOrderAndEnvFileOptionReplacesDotEnv()
    {
        var dotEnv = Compose("cli/testdata/env-file/compose-with-env-files.yaml");
        Assert.Equal(8000, dotEnv.Application!.Services["simple"].Ports.Single().Published);
        Assert.Equal([new EnvVar("DEFAULT_PORT", "9090", null)], dotEnv.Application.Services["simple"].Template.Containers[0].Env);
        var overridden = Compose("cli/testdata/env-file/compose-with-env-files.yaml", new LoadOptions { EnvFiles = [Fixture("cli/testdata/env-file/override.env")] });
        Assert.Equal(9000, overridden.Application!.Services["simple"].Ports.Single().Published);
    }

    [Fact]
    public void UnnormalizedPathWithASpaceLoads()
    {
        Load.AssertValid(Load.Files(Fixture("cli/testdata/UNNORMALIZED PATH")), "UNNORMALIZED PATH");
    }

    [Fact]
    public void VariablesInTypedFieldsPassTheSchemaAsCompseGoTestsIt()
    {
        // compose-go validates this file before interpolation: ${VARIABLE} strings where numbers go.
        var bag = new DiagnosticBag();
        var file = Fixture("schema/using-variables.yaml");
        var doc = YamlReader.Read(file, File.ReadAllText(file), bag).Single();
        SchemaValidator.Validate(doc.Root!, SchemaCatalog.Compose, bag);
        Assert.Empty(bag.Items);
    }

    [Fact]
    public void ThoseVariablesLeftUnsetAreReportedAtEachTypedField()
    {
        var result = Compose("schema/using-variables.yaml");
        Assert.Null(result.Application);
        // The unset variable is each error's cause, told in its message (one finding, one message per field).
        Assert.Contains(result.Errors, e => e is { Path: "services.foo.deploy.replicas", Line: 6, Column: 17, Message: "expected an integer, got an empty string (variable VARIABLE is not set; using an empty string)" });
        Assert.Contains(result.Errors, e => e is { Path: "services.foo.deploy.update_config.delay", Line: 15, Column: 16 } && e.Message.StartsWith("expected a duration", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Warnings, w => result.Errors.Any(e => (e.Line, e.Column, e.Path) == (w.Line, w.Column, w.Path)));
    }

    [Fact]
    public void FullExampleReadsEnvFilesAndLabelFilesAndFailsOnlyItsConsistencyChecks()
    {
        // Read as Compose, as compose-go reads it (its update_config and placement would make it a stack).
        var options = new LoadOptions { Environment = Load.Env(("HOME", "/home/foo"), ("QUX", "qux_from_environment")), Format = ManifestFormat.Compose };
        var result = Load.Files(options, Fixture("loader/full-example.yml"));
        Assert.Null(result.Application);
        // Six replicas with fixed host ports would be refused, but foo's network is another container's, where
        // published ports mean nothing: no finding about them.
        Assert.DoesNotContain(result.Errors, e => e.Code == "ports.replicas");
        Assert.Contains(result.Warnings, w => w.Code == "compose.stack-features" && w.Message.Contains("deploy.placement (service foo) at line 109"));
        // compose-go takes any constraint text; gitops checks it as Swarm would at deploy (and the fleet's scheduler needs it).
        Assert.Equal(
            [
                "invalid constraint \"node=foo\": expected one operator from ==, !=",
                "service 'foo' declares mutually exclusive network_mode and networks",
                "service 'foo' depends on undefined service 'db'",
                "service 'foo' depends on undefined service 'redis'",
                "service 'foo' refers to undefined network 'other-other-network'",
                "service 'foo' refers to undefined volume 'datavolume'",
            ],
            result.Errors.Select(e => e.Message).Order(StringComparer.Ordinal));

        // The model of the service itself, read through the same mappers (not returned by a failed load).
        var ctx = new LoadContext(options);
        var project = ComposeProjectLoader.Load([Fixture("loader/full-example.yml")], stack: false, ctx)!;
        var foo = ServiceMapper.Map("foo", (YMapping)((YMapping)project.Root["services"]!)["foo"]!, project, ctx);
        var env = foo.Template.Containers[0].Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("foo_from_env_file", env["FOO"]);
        Assert.Equal("bar_from_env_file_2", env["BAR"]);
        Assert.Equal("baz_from_service_def", env["BAZ"]);
        Assert.Equal("qux_from_environment", env["QUX"]);
        Assert.Equal("ok", env["ENV.WITH.DOT"]);
        Assert.Equal("foo_from_label_file", foo.Template.Labels["FOO"]);
        Assert.Equal("bar_from_label_file_2", foo.Template.Labels["BAR"]);
        Assert.Equal("Accounting webapp", foo.Template.Labels["com.example.description"]);
        Assert.Equal("42", foo.Template.Labels["com.example.number"]);
        Assert.Equal(Replication.Replicated(6) with { MaxPerNode = 5 }, foo.Replication);
        Assert.Equal((IntOrPercent.Count(3), IntOrPercent.Count(0), FailureAction.Continue, 0.3), (foo.Update.MaxSurge, foo.Update.MaxUnavailable, foo.Update.FailureAction, foo.Update.MaxFailureRatio));
        Assert.Equal(new RestartPolicy(RestartCondition.Always, null, TimeSpan.Zero, TimeSpan.Zero), foo.Template.Restart); // restart: always wins over deploy.restart_policy
        Assert.Equal(1_000_000, foo.Template.Containers[0].Resources.CpuLimit);
        Assert.Equal(50L * 1024 * 1024, foo.Template.Containers[0].Resources.MemoryLimit);
        Assert.Equal(TimeSpan.FromSeconds(20), foo.Template.StopGracePeriod);
        Assert.Equal(["bundle", "exec", "thin", "-p", "3000"], foo.Template.Containers[0].Command!.Value);
        Assert.Equal(new Ulimit(20000, 40000), foo.Template.Containers[0].Ulimits["nofile"]);
        var secret2 = foo.Template.Containers[0].Mounts.Single(m => m is { Type: MountType.Secret, Source: "secret2" });
        Assert.Equal(("/run/secrets/my_secret", 0x120, "103"), (secret2.Target, secret2.Mode!.Value, secret2.Uid)); // mode 0440
        // 3000, 3001-3005, 8000, 9090-9091, 49100, 127.0.0.1:8001, 127.0.0.1:5000-5010
        Assert.Equal(1 + 5 + 1 + 2 + 1 + 1 + 11, foo.Ports.Count);
        Assert.Contains(foo.Ports, p => p is { Target: 8081, Published: 9091 });
        Assert.Contains(foo.Ports, p => p is { Target: 5010, Published: 5010, HostIp: "127.0.0.1" });
    }

    /// <summary>compose-go's test resource loader: "remote:x" is a file under the remote fixtures folder.</summary>
    private sealed class RemotePrefixLoader(string folder) : IRemoteResourceLoader
    {
        public bool Accepts(string reference) => reference.StartsWith("remote:", StringComparison.Ordinal);

        public string Resolve(string reference) => Path.Combine(folder, reference["remote:".Length..]);
    }
}
