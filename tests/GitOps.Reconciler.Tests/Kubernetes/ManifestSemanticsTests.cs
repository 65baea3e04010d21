using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rendering;

namespace GitOps.Reconciler.Tests.Kubernetes;

/// <summary>
/// Manifests as users write them: the API server's defaults make valid what looks incomplete, its required
/// fields make invalid what looks fine, and each finding is told once, with its position.
/// </summary>
public sealed class ManifestSemanticsTests
{
    private static string Pod(string spec) => "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n" +
        string.Join("\n", spec.Split('\n').Select(l => "  " + l)) + "\n";

    [Fact]
    public void AContainerWithoutImageIsAnErrorAtTheContainer()
    {
        var error = Load.SingleError(Load.Yaml("p.yaml", Pod("containers:\n- name: app\n  command: [sleep, '1']")));
        Assert.Equal(("spec.containers[0].image", 6, 5, "k8s.image"), (error.Path, error.Line, error.Column, error.Code));
        Assert.Contains("container 'app' needs an image", error.Message);
    }

    [Fact]
    public void AVolumeWithOnlyANameIsAnEmptyDir()
    {
        var result = Load.Yaml("p.yaml", Pod("containers: [{name: c, image: c:1, volumeMounts: [{name: scratch, mountPath: /tmp/x}]}]\nvolumes: [{name: scratch}]"));
        Load.AssertValid(result, "name-only volume");
        Assert.Empty(result.Warnings);
        var explicitEmpty = Load.Yaml("p.yaml", Pod("containers: [{name: c, image: c:1, volumeMounts: [{name: scratch, mountPath: /tmp/x}]}]\nvolumes: [{name: scratch, emptyDir: {}}]"));
        Assert.Equal(explicitEmpty.Application!.Services["p"].Template, result.Application!.Services["p"].Template);
        Assert.Equal(MountType.Ephemeral, result.Application.Services["p"].Template.Containers[0].Mounts.Single().Type);
    }

    [Fact]
    public void ZeroPortsMeanNotSetAndDefaultTargetPortIsThePort()
    {
        var result = Load.Text(new Dictionary<string, string>
        {
            ["p.yaml"] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: p}}\nspec:\n  containers: [{name: c, image: c:1, ports: [{containerPort: 80, hostPort: 0}]}]\n",
            ["s.yaml"] = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: NodePort\n  selector: {app: p}\n  ports: [{port: 80, nodePort: 0, targetPort: 0}]\n",
            ["c.yaml"] = "apiVersion: v1\nkind: Service\nmetadata: {name: c}\nspec:\n  selector: {app: p}\n  ports: [{port: 8080, nodePort: 0, targetPort: ''}]\n",
        });
        Load.AssertValid(result, "zero ports");
        var app = result.Application!;
        Assert.Empty(app.Services["p"].Ports);
        Assert.Equal(("80", null), (app.Routes["s"].Ports[0].TargetPort, app.Routes["s"].Ports[0].NodePort));
        Assert.Equal("8080", app.Routes["c"].Ports[0].TargetPort);
    }

    [Fact]
    public void OnTheHostNetworkHostPortDefaultsToTheContainerPortAndMustEqualIt()
    {
        var result = Load.Yaml("p.yaml", Pod("hostNetwork: true\ncontainers: [{name: c, image: c:1, ports: [{containerPort: 9100}]}]"));
        Load.AssertValid(result, "host network");
        Assert.Equal((9100, 9100), (result.Application!.Services["p"].Ports.Single().Target, result.Application.Services["p"].Ports.Single().Published!.Value));
        var error = Load.SingleError(Load.Yaml("p.yaml", Pod("hostNetwork: true\ncontainers: [{name: c, image: c:1, ports: [{containerPort: 9100, hostPort: 9200}]}]")));
        Assert.Equal("spec.containers[0].ports[0].hostPort", error.Path);
    }

    [Fact]
    public void ProbeZeroesAndEmptyHttpFieldsTakeTheDefaults()
    {
        var zeros = Load.Yaml("p.yaml", Pod("containers: [{name: c, image: c:1, readinessProbe: {httpGet: {port: 80, path: '', scheme: ''}, periodSeconds: 0, timeoutSeconds: 0, successThreshold: 0, failureThreshold: 0}}]"));
        var plain = Load.Yaml("p.yaml", Pod("containers: [{name: c, image: c:1, readinessProbe: {httpGet: {port: 80}}}]"));
        Load.AssertValid(zeros, "probe zeros");
        Assert.Equal(plain.Application!.Services["p"].Template, zeros.Application!.Services["p"].Template);
    }

    [Fact]
    public void PullPolicyDefaultsFollowTheImageReference()
    {
        PullPolicy Of(string image) => Load.Yaml("p.yaml", Pod($"containers: [{{name: c, image: '{image}'}}]")).Application!.Services["p"].Template.Containers[0].Pull;
        Assert.Equal(PullPolicy.Always, Of("nginx"));
        Assert.Equal(PullPolicy.Always, Of("registry:5000/nginx"));
        Assert.Equal(PullPolicy.Always, Of("nginx:latest"));
        Assert.Equal(PullPolicy.Always, Of("nginx:latest@sha256:" + new string('a', 64)));
        Assert.Equal(PullPolicy.Missing, Of("nginx@sha256:" + new string('a', 64)));
        Assert.Equal(PullPolicy.Missing, Of("registry:5000/nginx:1.27"));
    }

    [Fact]
    public void AnInitContainerWithRestartPolicyAlwaysIsASidecar()
    {
        var result = Load.Yaml("p.yaml", Pod("""
            initContainers:
            - {name: setup, image: busybox, command: [echo]}
            - {name: proxy, image: busybox, restartPolicy: Always, readinessProbe: {exec: {command: [echo]}}}
            containers: [{name: app, image: busybox}]
            """));
        Load.AssertValid(result, "sidecar");
        Assert.Empty(result.Warnings);
        var init = result.Application!.Services["p"].Template.InitContainers;
        Assert.Equal([("setup", false), ("proxy", true)], init.Select(c => (c.Name, c.Sidecar)));
        Assert.Contains("sidecar: true", YamlOutput.Write(DesiredStateWriter.Write(result.Application)));
    }

    [Theory]
    [InlineData("containers: [{name: app, image: busybox, restartPolicy: Always}]", "spec.containers[0].restartPolicy", "only be set on init containers")]
    [InlineData("initContainers: [{name: i, image: busybox, restartPolicy: Never}]\ncontainers: [{name: app, image: busybox}]", "spec.initContainers[0].restartPolicy", "must be 'Always'")]
    [InlineData("initContainers: [{name: i, image: busybox, readinessProbe: {exec: {command: [echo]}}}]\ncontainers: [{name: app, image: busybox}]", "spec.initContainers[0].readinessProbe", "may not be set on an init container")]
    [InlineData("initContainers: [{name: app, image: busybox}]\ncontainers: [{name: app, image: busybox}]", "spec.initContainers[0].name", "duplicate container name 'app'")]
    public void InitContainerRulesOfTheApi(string spec, string path, string message)
    {
        var error = Load.SingleError(Load.Yaml("p.yaml", Pod(spec)));
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("{fieldRef: {fieldPath: status.phase}}", "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath", "fieldPath 'status.phase' is not supported")]
    [InlineData("{fieldRef: {fieldPath: metadata.labels}}", "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath", "only available in a downwardAPI volume")]
    [InlineData("{fieldRef: {fieldPath: metadata.name, apiVersion: v2}}", "spec.containers[0].env[0].valueFrom.fieldRef.apiVersion", "must be v1")]
    [InlineData("{resourceFieldRef: {resource: limits.gpu}}", "spec.containers[0].env[0].valueFrom.resourceFieldRef.resource", "resource 'limits.gpu' is not supported")]
    [InlineData("{resourceFieldRef: {resource: limits.cpu, divisor: 1Mi}}", "spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor", "a CPU divisor must be 1m or 1")]
    [InlineData("{resourceFieldRef: {resource: limits.memory, containerName: other}}", "spec.containers[0].env[0].valueFrom.resourceFieldRef.containerName", "'other' is not a container of this pod")]
    [InlineData("{fieldRef: {fieldPath: metadata.name}, secretKeyRef: {name: s, key: k}}", "spec.containers[0].env[0].valueFrom", "exactly one of")]
    public void AFieldThatCannotBeServedIsAnErrorNamingIt(string valueFrom, string path, string message)
    {
        var error = Load.SingleError(Load.Yaml("p.yaml", Pod($"containers: [{{name: c, image: c:1, env: [{{name: X, valueFrom: {valueFrom}}}]}}]")));
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void EveryFieldTheDownwardApiServesForEnvLoads()
    {
        var paths = new[] { "metadata.name", "metadata.namespace", "metadata.uid", "metadata.labels['a']", "metadata.annotations['b']", "spec.nodeName",
            "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs" };
        var env = string.Join(", ", paths.Select((p, i) => $"{{name: V{i}, valueFrom: {{fieldRef: {{fieldPath: \"{p}\"}}}}}}"));
        Load.AssertValid(Load.Yaml("p.yaml", Pod($"containers: [{{name: c, image: c:1, env: [{env}]}}]")), "downward API");
    }

    [Fact]
    public void ANamespaceIsAcceptedAndScopesTheNamesOfItsObjects()
    {
        var result = Load.Text(new Dictionary<string, string>
        {
            ["ns.yaml"] = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
            ["p.yaml"] = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers: [{name: c, image: c:1}]\n",
            ["q.yaml"] = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: c, image: c:1}]\n",
        }, new LoadOptions { Strict = true });
        Load.AssertValid(result, "namespace");
        Assert.Empty(result.Application!.Unsupported);
        Assert.Equal(["web", "web.shop"], result.Application.Services.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void UnsupportedKindsWarnWithTheirPositionAndFailUnderStrictWithoutSayingTheyAreSkipped()
    {
        const string Text = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: robot}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader}\nrules: []\n";
        var lenient = Load.Yaml("rbac.yaml", Text);
        Load.AssertValid(lenient, "rbac");
        Assert.Equal([(2, "ServiceAccount"), (6, "Role")], lenient.Warnings.Select(w => (w.Line, lenient.Application!.Unsupported.First(u => w.Message.Contains(u.Kind)).Kind)));
        Assert.All(lenient.Warnings, w => Assert.EndsWith("is not applied", w.Message));
        var strict = Load.Yaml("rbac.yaml", Text, new LoadOptions { Strict = true });
        Assert.Equal(2, strict.Errors.Count());
        Assert.All(strict.Errors, e => Assert.DoesNotContain("not applied", e.Message));
    }

    [Fact]
    public void StrictErrorsDoNotSayTheFieldIsIgnored()
    {
        var strict = Load.SingleError(Load.Yaml("p.yaml", Pod("containers: [{name: c, image: c:1, lifecycle: {preStop: {exec: {command: [echo]}}}}]"), new LoadOptions { Strict = true }));
        Assert.Equal("'lifecycle' is not supported by gitops", strict.Message);
        var lenient = Load.Yaml("p.yaml", Pod("containers: [{name: c, image: c:1, lifecycle: {preStop: {exec: {command: [echo]}}}}]"));
        Assert.Equal("'lifecycle' is not supported by gitops and is ignored", lenient.Warnings.Single().Message);
    }

    [Fact]
    public void AFieldWithAnErrorGetsNoWarningBesideIt()
    {
        var result = Load.Text(new Dictionary<string, string>
        {
            ["p.yaml"] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: p}}\nspec:\n  containers: [{name: c, image: c:1}]\n",
            ["s.yaml"] = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: p}\n  ports: [{port: 80, targetPort: http}]\n",
        });
        var findings = result.Diagnostics.Where(d => d.Path == "spec.ports[0].targetPort").ToList();
        Assert.Equal(Reconciler.Diagnostics.Severity.Error, Assert.Single(findings).Severity);
    }

    [Theory]
    [InlineData("a: 1\n\tb: 2\n", 2, 1)]
    [InlineData("a:\n\tb: 2\n", 2, 1)]
    [InlineData("a:\n  b: 2\n  \tc: 3\n", 3, 3)]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n", 4, 1)]
    [InlineData("a:\n  - x\n\t- y\n", 3, 1)]
    public void ATabInIndentationIsReportedWhereItIs(string text, int line, int column)
    {
        var error = Load.SingleError(Load.Yaml("t.yaml", text));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains("tab", error.Message);
    }

    [Fact]
    public void ReplicationControllerWithoutLabelsTakesItsTemplates()
    {
        var result = Load.Yaml("rc.yaml", "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\nspec:\n  template:\n    metadata: {labels: {app: x}}\n    spec:\n      containers: [{name: c, image: c:1}]\n");
        Load.AssertValid(result, "rc");
        Assert.Equal("x", result.Application!.Services["rc"].Labels["app"]);
    }

    [Theory]
    [InlineData(null, "shop.svc.cluster.local svc.cluster.local cluster.local corp.example", "ndots:5 edns0")]
    [InlineData("ClusterFirstWithHostNet", "shop.svc.cluster.local svc.cluster.local cluster.local corp.example", "ndots:5 edns0")]
    [InlineData("Default", "corp.example", "edns0")]
    public void APodSearchesItsNamespaceFirstUnlessItsDnsPolicySaysOtherwise(string? policy, string search, string options)
    {
        var text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n" + (policy is null ? "" : $"  dnsPolicy: {policy}\n") +
            "  dnsConfig: {searches: [corp.example], options: [{name: edns0}]}\n  containers: [{name: c, image: c:1}]\n";
        var result = Load.Yaml("p.yaml", text);
        Load.AssertValid(result, "dns");
        var dns = GitOps.Reconciler.Kubernetes.PodDns.Of(result.Application!.Services["p.shop"], "shop");
        Assert.Equal((search, options), (string.Join(' ', dns.Search), string.Join(' ', dns.Options)));
    }

    [Fact]
    public void DnsPolicyNoneNeedsNameservers()
    {
        var error = Load.SingleError(Load.Yaml("p.yaml", Pod("dnsPolicy: None\ncontainers: [{name: c, image: c:1}]")));
        Assert.Equal("spec.dnsPolicy", error.Path);
    }

    [Fact]
    public void ADeploymentsPodsRestartAlways()
    {
        var error = Load.SingleError(Load.Yaml("d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      restartPolicy: OnFailure\n      containers: [{name: c, image: c:1}]\n"));
        Assert.Equal(("spec.template.spec.restartPolicy", "k8s.restart-policy"), (error.Path, error.Code));
    }
}
