using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Policy;

namespace GitOps.Reconciler.Tests.Policy;

/// <summary>Each construct that opens the host is refused under restricted, at the line it was written, and passes under privileged.</summary>
public sealed class PolicyCheckerTests
{
    internal static LoadResult LoadTree(IReadOnlyDictionary<string, string> files, SecurityPolicy? policy, string app = ".", Action<string>? prepare = null)
    {
        var root = Load.TempDir();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        prepare?.Invoke(root);
        return ManifestLoader.Load([Path.GetFullPath(Path.Combine(root, app))], new LoadOptions { Root = root, Policy = policy, Name = "app" });
    }

    static List<Diagnostic> PolicyErrors(LoadResult r) => r.Errors.Where(d => d.Code.StartsWith("policy.", StringComparison.Ordinal)).ToList();

    static void AssertError(LoadResult r, string code, int line, string text)
    {
        var found = r.Errors.Where(d => d.Code == code && d.Line == line).ToList();
        Assert.True(found.Count > 0, $"expected {code} at line {line}, got:\n{string.Join("\n", r.Errors)}");
        Assert.Contains(found, d => d.Message.Contains(text, StringComparison.Ordinal));
    }

    const string Compose = """
        services:
          web:
            image: bb
            privileged: true
            cap_add: [SYS_ADMIN, NET_BIND_SERVICE]
            pid: host
            ipc: host
            security_opt: ["seccomp=unconfined", "no-new-privileges:true"]
            devices: ["/dev/fuse:/dev/fuse"]
            volumes:
              - /:/host
              - etc:/etc-copy
            ports: ["80:8080", "8081:8081"]
          net:
            image: bb
            network_mode: host
        volumes:
          etc:
            driver_opts: {type: none, o: bind, device: /etc}
        """;

    [Fact]
    public void Restricted_refuses_every_host_construct_of_a_compose_file_at_its_line()
    {
        var r = LoadTree(new Dictionary<string, string> { ["compose.yaml"] = Compose }, SecurityPolicy.Restricted);
        Assert.False(r.Succeeded);
        AssertError(r, "policy.privileged", 4, "policy restricted: privileged containers not allowed");
        AssertError(r, "policy.capability", 5, "capability SYS_ADMIN may not be added (allowed capabilities: NET_BIND_SERVICE)");
        AssertError(r, "policy.host-pid", 6, "the host's PID namespace");
        AssertError(r, "policy.host-ipc", 7, "the host's IPC namespace");
        AssertError(r, "policy.unconfined", 8, "seccomp unconfined not allowed");
        AssertError(r, "policy.device", 9, "device /dev/fuse not allowed (allowed devices: none)");
        AssertError(r, "policy.host-path", 11, "bind mount / not allowed (allowed host paths: none)");
        AssertError(r, "policy.host-port", 13, "host port 80 not allowed (allowed host ports: 1024-65535)");
        AssertError(r, "policy.host-network", 16, "the host's network namespace not allowed");
        AssertError(r, "policy.host-path", 19, "volume etc binds host path /etc");
        Assert.Equal(10, PolicyErrors(r).Count);
        Assert.All(PolicyErrors(r), d => Assert.EndsWith("compose.yaml", d.File, StringComparison.Ordinal));
    }

    [Fact]
    public void Privileged_accepts_the_same_file_and_no_policy_checks_nothing()
    {
        Load.AssertValid(LoadTree(new Dictionary<string, string> { ["compose.yaml"] = Compose }, SecurityPolicy.Unrestricted), "under privileged");
        Load.AssertValid(LoadTree(new Dictionary<string, string> { ["compose.yaml"] = Compose }, null), "without a policy");
    }

    [Fact]
    public void Baseline_allows_privileged_ports_and_default_capabilities_but_no_host_access()
    {
        var r = LoadTree(new Dictionary<string, string>
        {
            ["compose.yaml"] = """
                services:
                  web:
                    image: bb
                    cap_drop: [ALL]
                    cap_add: [CHOWN, NET_RAW, SYS_MODULE]
                    ports: ["80:80"]
                    volumes: ["/var/run:/host-run:ro"]
                """,
        }, SecurityPolicy.Baseline);
        var errors = PolicyErrors(r);
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, d => d.Message.Contains("capability SYS_MODULE", StringComparison.Ordinal) && d.Line == 5);
        Assert.Contains(errors, d => d.Message.Contains("capability NET_RAW", StringComparison.Ordinal) && d.Line == 5);
        Assert.Contains(errors, d => d.Code == "policy.host-path" && d.Line == 7);
    }

    const string Kube = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              hostNetwork: true
              hostPID: true
              hostIPC: true
              securityContext:
                seccompProfile: {type: Unconfined}
              containers:
                - name: web
                  image: bb
                  securityContext:
                    privileged: true
                    capabilities: {add: [SYS_MODULE]}
                  ports: [{containerPort: 80, hostPort: 80}]
                  volumeMounts: [{name: root, mountPath: /host}]
              volumes:
                - name: root
                  hostPath: {path: /}
        """;

    [Fact]
    public void Restricted_refuses_a_kubernetes_pod_that_opens_the_host_at_each_field()
    {
        var r = LoadTree(new Dictionary<string, string> { ["k8s/web.yaml"] = Kube }, SecurityPolicy.Restricted, "k8s");
        AssertError(r, "policy.host-network", 9, "hostNetwork: false");
        AssertError(r, "policy.host-pid", 10, "hostPID: false");
        AssertError(r, "policy.host-ipc", 11, "hostIPC: false");
        AssertError(r, "policy.unconfined", 13, "seccomp unconfined");
        AssertError(r, "policy.privileged", 18, "privileged containers not allowed");
        AssertError(r, "policy.capability", 19, "capability SYS_MODULE");
        AssertError(r, "policy.host-port", 20, "host port 80");
        var hostPath = r.Errors.Single(d => d.Code == "policy.host-path");
        Assert.Equal((24, 28), (hostPath.Line, hostPath.Column));
        Assert.Equal("policy restricted: hostPath / not allowed (allowed host paths: none)", hostPath.Message);
        Load.AssertValid(LoadTree(new Dictionary<string, string> { ["k8s/web.yaml"] = Kube }, SecurityPolicy.Unrestricted, "k8s"), "under privileged");
    }

    [Fact]
    public void Allowed_host_paths_are_prefixes_and_read_only_rules_need_read_only_mounts()
    {
        var policy = SecurityPolicy.Restricted with { AllowedHostPaths = [new HostPathRule("/srv/data", false), new HostPathRule("/var/log", true)] };
        var r = LoadTree(new Dictionary<string, string>
        {
            ["compose.yaml"] = """
                services:
                  web:
                    image: bb
                    volumes:
                      - /srv/data/web:/data
                      - /srv/data2:/data2
                      - /var/log:/logs:ro
                      - /var/log/app:/applogs
                      - /srv/data/../../etc:/sneaky
                """,
        }, policy);
        var errors = PolicyErrors(r);
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, d => d.Line == 6 && d.Message.Contains("bind mount /srv/data2 not allowed", StringComparison.Ordinal));
        Assert.Contains(errors, d => d.Line == 8 && d.Message.Contains("must be mounted read-only", StringComparison.Ordinal));
        Assert.Contains(errors, d => d.Line == 9);
    }

    [Fact]
    public void Images_outside_the_allow_list_and_resources_over_the_total_are_refused()
    {
        var policy = SecurityPolicy.Restricted with { Name = "team", AllowedImages = ["docker.io/library/*", "registry.local:5000/team/*"], MaxMemoryBytes = 256L << 20, MaxCpuNano = 1_000_000_000 };
        var r = LoadTree(new Dictionary<string, string>
        {
            ["compose.yaml"] = """
                services:
                  a:
                    image: busybox:1.36
                    mem_limit: 128m
                    cpus: 0.5
                    deploy: {replicas: 2}
                  b:
                    image: registry.local:5000/team/api:v1
                    mem_limit: 64m
                    cpus: 0.25
                  c:
                    image: evil.example.com/miner
                    cpus: 0.1
                """,
        }, policy);
        var errors = PolicyErrors(r);
        Assert.Contains(errors, d => d.Code == "policy.image" && d.Line == 12 && d.Message.Contains("image evil.example.com/miner not allowed", StringComparison.Ordinal));
        Assert.Contains(errors, d => d.Code == "policy.resources" && d.Line == 11 && d.Message.Contains("declares no memory limit", StringComparison.Ordinal));
        Assert.Contains(errors, d => d.Code == "policy.resources" && d.Message.Contains("cpu limits total 1.35 (a 2×0.5, b 0.25, c 0.1), more than the 1", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void A_seccomp_profile_that_allows_every_call_is_unconfined()
    {
        var files = new Dictionary<string, string>
        {
            ["compose.yaml"] = "services:\n  web:\n    image: bb\n    security_opt: [\"seccomp:profiles/open.json\"]\n",
            ["profiles/open.json"] = """{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}""",
        };
        var r = LoadTree(files, SecurityPolicy.Restricted);
        AssertError(r, "policy.unconfined", 4, "seccomp profile with default action SCMP_ACT_ALLOW");
        var ok = LoadTree(files, SecurityPolicy.Unrestricted);
        Load.AssertValid(ok, "privileged");
        Assert.Equal("""seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}""", ok.Application!.Services["web"].Template.Containers[0].Security.SecurityOpt.Single());
    }

    [Fact]
    public void Joining_a_container_outside_the_application_is_refused_but_a_service_of_it_is_not()
    {
        var r = LoadTree(new Dictionary<string, string>
        {
            ["compose.yaml"] = """
                services:
                  a: {image: bb, network_mode: "container:someone-else"}
                  b: {image: bb, pid: "service:c", ipc: "container:x"}
                  c: {image: bb}
                """,
        }, SecurityPolicy.Restricted);
        var errors = PolicyErrors(r);
        Assert.Equal(2, errors.Count);
        Assert.All(errors, d => Assert.Equal("policy.foreign-namespace", d.Code));
    }
}
