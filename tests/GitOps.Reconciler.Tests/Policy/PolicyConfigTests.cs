using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Configuration;
using GitOps.Reconciler.Policy;

namespace GitOps.Reconciler.Tests.Policy;

/// <summary>Policies in the daemon's config: named ones, the default, per-app names and inline ones, every mistake at its line.</summary>
public sealed class PolicyConfigTests
{
    static (DaemonConfig? Config, IReadOnlyList<Diagnostics.Diagnostic> Diagnostics) Parse(string yaml) =>
        DaemonConfigLoader.Parse("/etc/gitops/gitops.yaml", yaml, "/etc/gitops");

    [Fact]
    public void Named_inline_and_default_policies_resolve_for_each_application()
    {
        var (config, diagnostics) = Parse("""
            policies:
              web-team:
                base: baseline
                allowedHostPaths: [/srv/web, {path: /var/log, readOnly: true}]
                allowedCapabilities: [cap_net_admin]
                hostPorts: ["80", "443", "8000-8999"]
                allowedImages: ["registry.local:5000/web/*"]
                resources: {cpus: 2, memory: 1Gi}
            defaults:
              policy: web-team
            applications:
              - {name: a, repo: /srv/git/a}
              - {name: b, repo: /srv/git/b, policy: restricted}
              - name: c
                repo: /srv/git/c
                policy: {base: privileged, hostNetwork: false}
            """);
        Assert.True(config is not null, string.Join("\n", diagnostics));
        var web = config.Policies.Find("web-team")!;
        Assert.Equal([new HostPathRule("/srv/web", false), new HostPathRule("/var/log", true)], web.AllowedHostPaths);
        Assert.Equal(["NET_ADMIN"], web.AllowedCapabilities);
        Assert.True(web.AllowsHostPort(443) && web.AllowsHostPort(8500) && !web.AllowsHostPort(22));
        Assert.Equal(2_000_000_000, web.MaxCpuNano);
        Assert.Equal(1L << 30, web.MaxMemoryBytes);
        Assert.Equal("web-team", config.Policies.Resolve(config.Apps[0], "config", out _)!.Name);
        Assert.Equal("restricted", config.Policies.Resolve(config.Apps[1], "config", out _)!.Name);
        var inline = config.Policies.Resolve(config.Apps[2], "config", out _)!;
        Assert.True(inline.Privileged && !inline.HostNetwork);
        // compose up, stack deploy and apply keep Docker's permissive default unless they name a policy.
        var local = new AppSpec("x", new AppSource(SourceKind.Local, "/tmp/x", null, null, null, null), [], AppSchedule.Default, AppPolicy.Default, null);
        Assert.Equal("privileged", config.Policies.Resolve(local, "compose", out _)!.Name);
        Assert.Equal("restricted", config.Policies.Resolve(local with { SecurityPolicy = "restricted" }, "compose", out _)!.Name);
    }

    [Fact]
    public void Every_policy_mistake_is_reported_at_its_line()
    {
        var (config, diagnostics) = Parse("""
            policies:
              baseline: {hostNetwork: true}
              bad:
                base: root
                allowedHostPaths: [relative/path]
                hostPorts: ["0", "9000-8000"]
                allowedDevices: [fuse]
                resources: {memory: lots}
            defaults: {policy: nope}
            applications:
              - {name: a, repo: /srv/git/a, policy: missing}
            """);
        Assert.Null(config);
        var errors = diagnostics.Where(d => d.Severity == Diagnostics.Severity.Error).ToList();
        foreach (var line in new[] { 2, 4, 5, 6, 7, 8, 9, 11 })
            Assert.True(errors.Any(d => d.Line == line), $"expected an error at line {line}:\n{string.Join("\n", errors)}");
        Assert.Contains(errors, d => d.Line == 11 && d.Message.Contains("no policy named 'missing'", StringComparison.Ordinal));
    }

    [Fact]
    public void Image_patterns_match_docker_names()
    {
        Assert.True(Rules.ImageMatches("docker.io/library/*", "busybox"));
        Assert.True(Rules.ImageMatches("busybox", "busybox:1.36"));
        Assert.False(Rules.ImageMatches("busybox:1.35", "busybox:1.36"));
        Assert.True(Rules.ImageMatches("registry.local:5000/*", "registry.local:5000/team/app@sha256:" + new string('a', 64)));
        Assert.False(Rules.ImageMatches("registry.local:5000/*", "registry.local:5001/team/app"));
        Assert.False(Rules.ImageMatches("docker.io/library/*", "evil.example.com/library/busybox"));
    }
}
