using System.Text;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Rendering;

namespace GitOps.Reconciler.Tests.Model;

/// <summary>Every mistake is reported with file, line, column, path and what was expected — all of them at once.</summary>
public sealed class ErrorReportingTests
{
    private const string BrokenCompose = """
        services:
          web:
            image: 5
            ports:
              - "8080:80"
              - target: 80
                protocl: tcp
            depends_on: [nope]
            volumes:
              - data:/srv
            networks: [front]
          db:
            image: postgres
            healthcheck:
              interval: soon
        """;

    private const string BrokenKubernetes = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
        spec:
          replicas: three
          selector:
            matchLabels: {app: api}
          template:
            metadata:
              labels: {app: other}
            spec:
              containers:
                - name: api
                  image: api:1
        """;

    [Fact]
    public void AllErrorsOfARevisionAreReportedTogetherWithPositions()
    {
        var result = Load.Text(new Dictionary<string, string> { ["compose.yaml"] = BrokenCompose, ["api.yaml"] = BrokenKubernetes });
        Assert.Null(result.Application);
        var errors = result.Errors.Select(e => (Path.GetFileName(e.File), e.Line, e.Column, e.Path, e.Message)).ToList();
        Assert.Contains(("compose.yaml", 3, 12, "services.web.image", "expected a string, got integer 5"), errors);
        Assert.Contains(("compose.yaml", 7, 9, "services.web.ports[1].protocl", "unknown property 'protocl' (not allowed here by the schema)"), errors);
        Assert.Contains(("compose.yaml", 8, 18, "services.web.depends_on[0]", "service 'web' depends on undefined service 'nope'"), errors);
        Assert.Contains(("compose.yaml", 10, 9, "services.web.volumes[0]", "service 'web' refers to undefined volume 'data'"), errors);
        Assert.Contains(("compose.yaml", 11, 16, "services.web.networks[0]", "service 'web' refers to undefined network 'front'"), errors);
        Assert.Contains(("compose.yaml", 15, 17, "services.db.healthcheck.interval", "expected a duration such as 10s, 1m30s or 500ms, got string \"soon\""), errors);
        Assert.Contains(("api.yaml", 6, 13, "spec.replicas", "expected an integer or null, got a string"), errors);
        Assert.Equal(7, errors.Count);
    }

    [Fact]
    public void TheSchemaValidKubernetesObjectIsThenCheckedForItsSelector()
    {
        var result = Load.Yaml("api.yaml", BrokenKubernetes.Replace("replicas: three", "replicas: 3", StringComparison.Ordinal));
        var error = Load.SingleError(result);
        Assert.Equal(("spec.selector", 8, 5), (error.Path, error.Line, error.Column));
        Assert.Equal("selector does not match template labels of Deployment 'api' (template labels: app=other)", error.Message);
    }

    [Fact]
    public void MapperErrorsFollowOnceTheSchemaIsSatisfied()
    {
        var result = Load.Yaml("compose.yaml", """
            services:
              db:
                image: postgres
                healthcheck:
                  interval: soon
                restart: sometimes
            """);
        var errors = result.Errors.Select(e => (e.Line, e.Column, e.Path)).ToList();
        Assert.Equal([(5, 17, "services.db.healthcheck.interval"), (6, 14, "services.db.restart")], errors);
        Assert.StartsWith("expected a duration such as 10s", result.Errors.First().Message);
    }

    [Fact]
    public void DiagnosticPrintsLikeACompiler()
    {
        var error = Load.SingleError(Load.Yaml("compose.yaml", "services:\n  web:\n    image: 5\n"));
        Assert.EndsWith("compose.yaml:3:12: error: services.web.image: expected a string, got integer 5", error.ToString());
    }

    [Fact]
    public void RequiredVariableMessageAndPosition()
    {
        var error = Load.SingleError(Load.Yaml("compose.yaml", "services:\n  web:\n    image: \"app:${TAG:?set TAG to the release}\"\n"));
        Assert.Equal((3, 12, "services.web.image", "required variable TAG is missing a value: set TAG to the release"), (error.Line, error.Column, error.Path, error.Message));
    }

    [Fact]
    public void YamlSyntaxErrorPointsWhereTheParserStopped()
    {
        var error = Load.SingleError(Load.Yaml("compose.yaml", "services:\n  web:\n    image: [unclosed\n    ports: x\n"));
        Assert.StartsWith("invalid YAML:", error.Message);
        Assert.Equal((3, 12), (error.Line, error.Column));
    }

    [Fact]
    public void DuplicatePublishedPortAcrossFormats()
    {
        var result = Load.Text(new Dictionary<string, string>
        {
            ["compose.yaml"] = "services:\n  web:\n    image: web\n    ports: [\"3000:3000\"]\n",
            ["svc.yaml"] = """
                apiVersion: v1
                kind: Service
                metadata: {name: other}
                spec:
                  type: NodePort
                  selector: {app: other}
                  ports:
                    - port: 80
                      nodePort: 3000
                """,
        });
        var error = Load.SingleError(result);
        Assert.Equal(("svc.yaml", 9, 17, "spec.ports[0].nodePort"), (Path.GetFileName(error.File), error.Line, error.Column, error.Path));
        Assert.Equal("published port 3000/tcp is already used by service 'web'", error.Message);
    }

    [Fact]
    public void ReplicasWithGlobalModeIsAnError()
    {
        var error = Load.SingleError(Load.Yaml("docker-stack.yml", "services:\n  agent:\n    image: agent\n    deploy:\n      mode: global\n      replicas: 2\n"));
        Assert.Equal((6, 17, "services.agent.deploy.replicas", "replicas can only be used with replicated mode, not global"), (error.Line, error.Column, error.Path, error.Message));
    }

    [Fact]
    public void UndeclaredSecretAndConfig()
    {
        var result = Load.Yaml("compose.yaml", "services:\n  web:\n    image: web\n    secrets: [token]\n    configs:\n      - source: site\n");
        Assert.Equal(
            [(4, 15, "service 'web' refers to undefined secret 'token'"), (6, 17, "service 'web' refers to undefined config 'site'")],
            result.Errors.Select(e => (e.Line, e.Column, e.Message)));
    }

    [Fact]
    public void NamedTargetPortResolvesPerBackendOrFails()
    {
        const string Deployment = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                    - name: web
                      image: web:1
                      ports: [{name: http, containerPort: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports: [{port: 80, targetPort: PORT}]
            """;
        var ok = Load.Yaml("web.yaml", Deployment.Replace("PORT", "http", StringComparison.Ordinal));
        Load.AssertValid(ok, "named targetPort");
        Assert.Equal(8080, ok.Application!.Routes["web"].Ports.Single().Resolved["web"]);

        var bad = Load.SingleError(Load.Yaml("web.yaml", Deployment.Replace("PORT", "https", StringComparison.Ordinal)));
        Assert.Equal((19, 34, "targetPort 'https' does not name a tcp container port of any selected workload (web)"), (bad.Line, bad.Column, bad.Message));
    }

    [Fact]
    public void SecretValuesNeverAppearInOutputErrorsOrHashes()
    {
        const string Plain = "s3cr3t-Value!";
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(Plain));
        var files = new Dictionary<string, string>
        {
            ["secret.yaml"] = $"""
                apiVersion: v1
                kind: Secret
                metadata: {"{"}name: creds{"}"}
                data:
                  password: {base64}
                stringData:
                  token: {Plain}-token
                """,
            ["pod.yaml"] = """
                apiVersion: v1
                kind: Pod
                metadata: {name: app}
                spec:
                  containers:
                    - name: app
                      image: app:1
                      env:
                        - name: PASSWORD
                          valueFrom: {secretKeyRef: {name: creds, key: password}}
                """,
        };
        var result = Load.Text(files);
        Load.AssertValid(result, "secret + pod");
        var tree = DesiredStateWriter.Write(result.Application!);
        foreach (var text in new[] { YamlOutput.Write(tree), JsonOutput.Write(tree), string.Join("\n", result.Diagnostics) })
        {
            Assert.DoesNotContain(Plain, text);
            Assert.DoesNotContain(base64, text);
        }
        Assert.Contains("digest: sha256:", YamlOutput.Write(tree));
        Assert.Equal("***", result.Application!.Secrets["creds"].Data["password"].ToString());

        // A malformed value is reported without being echoed.
        files["secret.yaml"] = files["secret.yaml"].Replace(base64, "not*base64*" + Plain, StringComparison.Ordinal);
        var error = Load.SingleError(Load.Text(files));
        Assert.Equal(("data.password", 5, 13), (error.Path, error.Line, error.Column));
        Assert.DoesNotContain(Plain, error.ToString());
    }

    [Fact]
    public void ChangingASecretChangesItsDigestButNotTheConsumingServicesHash()
    {
        string Secret(string value) => $"apiVersion: v1\nkind: Secret\nmetadata: {{name: creds}}\nstringData: {{password: {value}}}\n";
        var a = Load.Yaml("s.yaml", Secret("one")).Application!;
        var b = Load.Yaml("s.yaml", Secret("two")).Application!;
        Assert.NotEqual(a.Secrets["creds"], b.Secrets["creds"]);
        Assert.NotEqual(a.Secrets["creds"].Data["password"].Digest, b.Secrets["creds"].Data["password"].Digest);
    }

    [Fact]
    public void UnsupportedVolumeTypeIsAWarningByDefaultAndAnErrorWhenStrict()
    {
        const string Pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: nfs}
            spec:
              containers: [{name: c, image: c:1, volumeMounts: [{name: data, mountPath: /data}]}]
              volumes:
                - name: data
                  nfs: {server: nfs.local, path: /exports}
            """;
        var lenient = Load.Yaml("pod.yaml", Pod);
        Load.AssertValid(lenient, "nfs pod");
        Assert.Equal(Reconciler.Model.MountType.Unsupported, lenient.Application!.Services["nfs"].Template.Containers[0].Mounts.Single().Type);
        var warning = lenient.Warnings.Single(w => w.Code == "k8s.unsupported-volume");
        Assert.Equal((8, 7, "spec.volumes[0].nfs"), (warning.Line, warning.Column, warning.Path));
        Assert.Equal("k8s.unsupported-volume", Load.SingleError(Load.Yaml("pod.yaml", Pod, new LoadOptions { Strict = true })).Code);
    }
}
