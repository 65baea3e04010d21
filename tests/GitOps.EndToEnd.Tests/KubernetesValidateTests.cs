using GitOps.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace GitOps.EndToEnd.Tests;

/// <summary>
/// What the real binary says about Kubernetes manifests as users write them (gitops validate, no daemon): the
/// API server's defaults make valid files load, its required fields are errors at their line:column, unsupported
/// kinds warn and fail under --strict, a YAML tab is reported where it is, and each finding is one message.
/// </summary>
public sealed class KubernetesValidateTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("gitops-k8s-validate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    CliResult Validate(string file, string text, params string[] options)
    {
        var path = Path.Combine(_dir, file);
        File.WriteAllText(path, text);
        return Gitops.Run(null, null, TimeSpan.FromSeconds(60), ["validate", .. options, path]);
    }

    static string[] Lines(CliResult r) => r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Kubernetes_defaults_make_a_name_only_volume_and_node_port_zero_valid()
    {
        var r = Validate("web.yaml", """
            apiVersion: v1
            kind: Service
            metadata: { name: web }
            spec:
              type: NodePort
              selector: { app: web }
              ports: [{ port: 80, targetPort: 0, nodePort: 0 }]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web }
            spec:
              selector: { matchLabels: { app: web } }
              template:
                metadata: { labels: { app: web } }
                spec:
                  volumes: [{ name: scratch }]
                  containers:
                    - name: web
                      image: bb
                      ports: [{ containerPort: 80, hostPort: 0 }]
                      readinessProbe: { httpGet: { port: 80, path: "" }, periodSeconds: 0 }
                      volumeMounts: [{ name: scratch, mountPath: /scratch }]
            """);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Empty(Lines(r));
        // The volume is a scratch (emptyDir) volume in the rendered desired state.
        var rendered = Gitops.Run(null, null, TimeSpan.FromSeconds(60), "render", Path.Combine(_dir, "web.yaml"));
        Assert.True(rendered.ExitCode == 0, rendered.ToString());
        Assert.Contains("/scratch", rendered.Stdout);
    }

    [Fact]
    public void A_container_without_image_is_one_error_at_the_container()
    {
        var r = Validate("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - name: c\n      command: [sleep, '1']\n");
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(Lines(r));
        Assert.StartsWith(Path.Combine(_dir, "pod.yaml") + ":6:", line);
        Assert.Contains("error: spec.containers[0]", line);
        Assert.Contains("image", line);
    }

    [Fact]
    public void A_tab_in_indentation_is_reported_at_its_line_and_column()
    {
        var r = Validate("tab.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  \t- name: c\n");
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(Lines(r));
        Assert.StartsWith(Path.Combine(_dir, "tab.yaml") + ":7:3: error: ", line);
        Assert.Contains("tab", line);
    }

    [Fact]
    public void Unsupported_kinds_warn_and_fail_under_strict_with_one_message_each()
    {
        const string Text = """
            apiVersion: v1
            kind: Namespace
            metadata: { name: shop }
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: { name: robot, namespace: shop }
            ---
            apiVersion: v1
            kind: Pod
            metadata: { name: p, namespace: shop }
            spec:
              containers: [{ name: c, image: bb, lifecycle: { preStop: { exec: { command: [echo] } } } }]
            """;
        var lenient = Validate("app.yaml", Text);
        Assert.True(lenient.ExitCode == 0, lenient.ToString());
        var warnings = Lines(lenient);
        Assert.Equal(2, warnings.Length);
        Assert.All(warnings, w => Assert.Contains(": warning: ", w));
        Assert.Contains(warnings, w => w.StartsWith(Path.Combine(_dir, "app.yaml") + ":6:", StringComparison.Ordinal) && w.Contains("ServiceAccount"));
        Assert.Contains(warnings, w => w.Contains("'lifecycle' is not supported by gitops and is ignored"));
        Assert.DoesNotContain(warnings, w => w.Contains("Namespace"));

        var strict = Validate("app.yaml", Text, "--strict");
        Assert.Equal(1, strict.ExitCode);
        var errors = Lines(strict);
        Assert.Equal(2, errors.Length);
        Assert.All(errors, e => Assert.Contains(": error: ", e));
        Assert.All(errors, e => Assert.DoesNotContain("ignored", e));
        Assert.All(errors, e => Assert.DoesNotContain("not applied", e));
    }

    [Fact]
    public void A_downward_api_field_that_cannot_be_served_is_an_error_naming_it()
    {
        var r = Validate("pod.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: { name: p }
            spec:
              containers:
                - name: c
                  image: bb
                  env:
                    - name: X
                      valueFrom: { fieldRef: { fieldPath: status.phase } }
            """);
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(Lines(r));
        Assert.Contains(":10:", line);
        Assert.Contains("status.phase", line);
    }
}
