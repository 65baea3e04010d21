using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace GitOps.EndToEnd.Tests;

/// <summary>A daemon of its own whose config declares named policies (an image allow-list, a memory total).</summary>
public sealed class PolicyFixture : DaemonFixture
{
    protected override string ExtraDaemonArgs
    {
        get
        {
            var config = Path.Combine(Dir, "gitops.yaml");
            File.WriteAllText(config, """
                policies:
                  library-only:
                    base: privileged
                    allowedImages: ["docker.io/library/*"]
                  small:
                    base: privileged
                    resources: {memory: 64Mi}
                """);
            return $"--config \"{config}\" --drift-interval 1s";
        }
    }
}

/// <summary>
/// Git is not a root shell: each construct that would open the node to whoever can push is refused under the
/// default policy (restricted), with the rule and file:line in <c>gitops status</c>, the running version untouched;
/// the same files run under privileged with every field reaching the engine; paths that leave the revision's
/// tree are refused whatever the policy; an operator's <c>compose up</c> keeps Docker's permissiveness.
/// </summary>
public sealed class PolicyTests(PolicyFixture d) : IClassFixture<PolicyFixture>
{
    const string HostCompose = """
        services:
          root:
            image: bb
            command: ["sleep", "3600"]
            privileged: true
            cap_add: [SYS_ADMIN]
            pid: host
            ipc: host
            security_opt: ["seccomp=unconfined"]
            devices: ["/dev/zero:/dev/myzero"]
            volumes:
              - /:/host:ro
              - etc:/etc-copy:ro
            ports: ["181:8080"]
          net:
            image: bb
            command: ["sleep", "3600"]
            network_mode: host
        volumes:
          etc:
            driver_opts: {type: none, o: bind, device: /etc}

        """;

    const string HostKube = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: kroot}
        spec:
          selector: {matchLabels: {app: kroot}}
          template:
            metadata: {labels: {app: kroot}}
            spec:
              hostNetwork: true
              hostPID: true
              hostIPC: true
              securityContext:
                seccompProfile: {type: Unconfined}
              containers:
                - name: main
                  image: bb
                  imagePullPolicy: Never
                  command: ["sleep", "3600"]
                  securityContext:
                    privileged: true
                    capabilities: {add: [SYS_MODULE]}
                  ports: [{containerPort: 182, hostPort: 182}] # on the host network both are the same port (the API requires it)
                  volumeMounts: [{name: root, mountPath: /host, readOnly: true}]
              volumes:
                - name: root
                  hostPath: {path: /}

        """;

    JsonElement Status(string app)
    {
        using var doc = JsonDocument.Parse(d.Ok("status", "-o", "json", app));
        return doc.RootElement[0].Clone();
    }

    IReadOnlyList<string> Errors(string app) => [.. Status(app).GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)];

    void WaitFor(string app, string revision)
    {
        Gitops.Eventually(() =>
        {
            var s = Status(app);
            return s.TryGetProperty("revision", out var r) && r.GetString() == revision && s.GetProperty("sync").GetString() == "Synced";
        }, TimeSpan.FromSeconds(90), $"{app} at {revision[..7]}");
    }

    static void AssertHas(IReadOnlyList<string> errors, string where, string what) =>
        Assert.True(errors.Any(e => e.StartsWith(where, StringComparison.Ordinal) && e.Contains(what, StringComparison.Ordinal)),
            $"expected an error at {where} saying \"{what}\", got:\n{string.Join("\n", errors)}");

    JsonElement HostConfig(string container)
    {
        using var doc = JsonDocument.Parse(d.Ok("inspect", container));
        return doc.RootElement[0].GetProperty("HostConfig").Clone();
    }

    [Fact]
    public void Compose_host_constructs_are_refused_under_restricted_and_run_under_privileged()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-compose-host"));
        var v1 = repo.Commit("host access", ("compose.yaml", HostCompose));

        var refused = d.Cli("app", "add", "c-restricted", "--repo", repo.Dir, "--interval", "1h");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("policy restricted", refused.Stdout);
        var errors = Errors("c-restricted");
        AssertHas(errors, "compose.yaml:5:", "policy restricted: privileged containers not allowed");
        AssertHas(errors, "compose.yaml:6:", "capability SYS_ADMIN may not be added");
        AssertHas(errors, "compose.yaml:7:", "the host's PID namespace not allowed");
        AssertHas(errors, "compose.yaml:8:", "the host's IPC namespace not allowed");
        AssertHas(errors, "compose.yaml:9:", "seccomp unconfined not allowed");
        AssertHas(errors, "compose.yaml:10:", "device /dev/zero not allowed");
        AssertHas(errors, "compose.yaml:12:", "bind mount / not allowed (allowed host paths: none)");
        AssertHas(errors, "compose.yaml:14:", "host port 181 not allowed (allowed host ports: 1024-65535)");
        AssertHas(errors, "compose.yaml:18:", "the host's network namespace not allowed");
        AssertHas(errors, "compose.yaml:21:", "volume etc binds host path /etc");
        Assert.Contains("10 by policy restricted", Status("c-restricted").GetProperty("message").GetString());
        Assert.DoesNotContain("c-restricted-root-1", d.Ok("ps", "-a", "--format", "{{.Names}}"));

        d.Ok("app", "add", "c-priv", "--repo", repo.Dir, "--interval", "1h", "--policy", "privileged");
        WaitFor("c-priv", v1);
        var h = HostConfig("c-priv-root-1");
        Assert.True(h.GetProperty("Privileged").GetBoolean());
        Assert.Equal("host", h.GetProperty("PidMode").GetString());
        Assert.Equal("host", h.GetProperty("IpcMode").GetString());
        Assert.Equal("seccomp=unconfined", h.GetProperty("SecurityOpt")[0].GetString());
        Assert.Equal("/dev/zero", h.GetProperty("Devices")[0].GetProperty("PathOnHost").GetString());
        Assert.Equal("SYS_ADMIN", h.GetProperty("CapAdd")[0].GetString());
        Assert.Equal("host", HostConfig("c-priv-net-1").GetProperty("NetworkMode").GetString());
        // The binds really bind: the host's root, and /etc through a bind-like local volume.
        Assert.Equal(File.ReadAllText("/etc/hostname").Trim(), d.Ok("exec", "c-priv-root-1", "cat", "/host/etc/hostname"));
        Assert.Equal(File.ReadAllText("/etc/hostname").Trim(), d.Ok("exec", "c-priv-root-1", "cat", "/etc-copy/hostname"));
        Assert.Contains("privileged", d.Ok("app", "ls"));
        Assert.Equal("privileged", JsonDocument.Parse(d.Ok("app", "inspect", "c-priv")).RootElement.GetProperty("policy").GetProperty("name").GetString());

        d.Ok("app", "rm", "--remove-resources", "--remove-volumes", "c-priv");
        d.Ok("app", "rm", "c-restricted");
    }

    [Fact]
    public void Kubernetes_host_constructs_are_refused_under_restricted_and_run_under_privileged()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-kube-host"));
        var v1 = repo.Commit("host access", ("k8s/root.yaml", HostKube));

        Assert.Equal(1, d.Cli("app", "add", "k-restricted", "--repo", repo.Dir, "--path", "k8s", "--interval", "1h").ExitCode);
        var errors = Errors("k-restricted");
        AssertHas(errors, "k8s/root.yaml:9:", "hostNetwork: false");
        AssertHas(errors, "k8s/root.yaml:10:", "hostPID: false");
        AssertHas(errors, "k8s/root.yaml:11:", "hostIPC: false");
        AssertHas(errors, "k8s/root.yaml:13:", "seccomp unconfined not allowed");
        AssertHas(errors, "k8s/root.yaml:20:", "privileged containers not allowed");
        AssertHas(errors, "k8s/root.yaml:21:", "capability SYS_MODULE may not be added");
        AssertHas(errors, "k8s/root.yaml:22:", "host port 182 not allowed");
        AssertHas(errors, "k8s/root.yaml:26:28:", "policy restricted: hostPath / not allowed (allowed host paths: none)");
        Assert.Contains("hostPath / not allowed", d.Ok("status", "k-restricted"));

        d.Ok("app", "add", "k-priv", "--repo", repo.Dir, "--path", "k8s", "--interval", "1h", "--policy", "privileged");
        WaitFor("k-priv", v1);
        var h = HostConfig("k-priv-kroot-1");
        Assert.True(h.GetProperty("Privileged").GetBoolean());
        Assert.Equal("host", h.GetProperty("NetworkMode").GetString());
        Assert.Equal("host", h.GetProperty("PidMode").GetString());
        Assert.Equal("host", h.GetProperty("IpcMode").GetString());
        Assert.Equal("seccomp=unconfined", h.GetProperty("SecurityOpt")[0].GetString());
        Assert.Equal(File.ReadAllText("/etc/hostname").Trim(), d.Ok("exec", "k-priv-kroot-1", "cat", "/host/etc/hostname"));

        d.Ok("app", "rm", "--remove-resources", "k-priv");
        d.Ok("app", "rm", "k-restricted");
    }

    [Fact]
    public void A_refused_commit_leaves_the_running_version_running_and_status_names_the_rule()
    {
        const string Clean = "services:\n  web:\n    image: bb\n    command: [\"sleep\", \"3600\"]\n";
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-refused"));
        var v1 = repo.Commit("v1", ("compose.yaml", Clean));
        d.Ok("app", "add", "keep", "--repo", repo.Dir, "--interval", "1h");
        WaitFor("keep", v1);
        var id = d.Ok("inspect", "-f", "{{.Id}}", "keep-web-1");

        var v2 = repo.Commit("v2 asks for the host", ("compose.yaml", Clean + "    volumes: [\"/:/host\"]\n    cap_add: [SYS_ADMIN]\n"));
        Assert.Equal(1, d.Cli("sync", "keep").ExitCode);
        var s = Status("keep");
        Assert.Equal("Failed", s.GetProperty("sync").GetString());
        Assert.Equal(v1, s.GetProperty("revision").GetString());
        Assert.Equal(v2, s.GetProperty("latestRevision").GetString());
        var text = d.Ok("status", "keep");
        Assert.Contains($"revision {v2[..7]} rejected: 2 error(s), 2 by policy restricted", text);
        Assert.Contains("compose.yaml:5:", text);
        Assert.Contains("policy restricted: bind mount / not allowed (allowed host paths: none)", text);
        Assert.Contains("policy restricted: capability SYS_ADMIN may not be added", text);
        // The running version keeps running, untouched.
        Assert.Equal(id, d.Ok("inspect", "-f", "{{.Id}}", "keep-web-1"));
        Assert.Equal("running", d.Ok("inspect", "-f", "{{.State.Status}}", "keep-web-1"));

        // An image outside a named policy's allow-list, and limits over its total, are refused the same way.
        d.Ok("app", "rm", "--remove-resources", "keep");
        var images = new TestRepo(Path.Combine(d.Dir, "repo-images"));
        images.Commit("foreign image", ("compose.yaml", "services:\n  ok:\n    image: bb\n  foreign:\n    image: 127.0.0.1:1/mallory/miner:1\n"));
        Assert.Equal(1, d.Cli("app", "add", "imgs", "--repo", images.Dir, "--interval", "1h", "--policy", "library-only").ExitCode);
        AssertHas(Errors("imgs"), "compose.yaml:5:", "policy library-only: image 127.0.0.1:1/mallory/miner:1 not allowed (allowed images: docker.io/library/*)");
        var big = new TestRepo(Path.Combine(d.Dir, "repo-big"));
        big.Commit("too big", ("compose.yaml", "services:\n  web:\n    image: bb\n    command: [\"sleep\", \"3600\"]\n    mem_limit: 48m\n    deploy: {replicas: 2}\n"));
        Assert.Equal(1, d.Cli("app", "add", "big", "--repo", big.Dir, "--interval", "1h", "--policy", "small").ExitCode);
        AssertHas(Errors("big"), "compose.yaml:5:", "memory limits total 96MiB (web 2×48MiB), more than the 64MiB the application may claim");
        var small = big.Commit("fits", ("compose.yaml", "services:\n  web:\n    image: bb\n    command: [\"sleep\", \"3600\"]\n    mem_limit: 32m\n    deploy: {replicas: 2}\n"));
        d.Ok("sync", "big");
        WaitFor("big", small);
        d.Ok("app", "rm", "--remove-resources", "big");
        d.Ok("app", "rm", "imgs");
    }

    [Fact]
    public void Paths_that_leave_the_revisions_tree_are_refused_and_compose_up_from_a_local_directory_stays_permissive()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-escape"));
        File.CreateSymbolicLink(Path.Combine(repo.Dir, "users.conf"), "/etc/passwd");
        repo.Commit("escapes", ("compose.yaml", """
            include:
              - ../../x/compose.yaml
            services:
              env:
                image: bb
                env_file: ../../etc/shadow
              conf:
                image: bb
                configs: [users]
              bind:
                image: bb
                volumes: ["../..:/up"]
              ext:
                extends: {file: ../x.yaml, service: base}
              built:
                build: ..
            configs:
              users:
                file: ./users.conf

            """));
        Assert.Equal(1, d.Cli("app", "add", "esc", "--repo", repo.Dir, "--interval", "1h", "--policy", "privileged").ExitCode);
        var errors = Errors("esc");
        AssertHas(errors, "compose.yaml:2:", "include ../../x/compose.yaml: '..' leaves the revision's tree");
        AssertHas(errors, "compose.yaml:6:", "env_file ../../etc/shadow: '..' leaves the revision's tree");
        AssertHas(errors, "compose.yaml:12:", "bind source ../..: '..' leaves the revision's tree");
        AssertHas(errors, "compose.yaml:14:", "extends file ../x.yaml: '..' leaves the revision's tree");
        AssertHas(errors, "compose.yaml:16:", "build context ..: '..' leaves the revision's tree");
        AssertHas(errors, "compose.yaml:19:", "symlink users.conf -> /etc/passwd points outside the revision's tree");
        Assert.DoesNotContain(errors, e => e.Contains("root:x:0:0", StringComparison.Ordinal));

        // An application path that is a symlink out of the tree.
        var linked = new TestRepo(Path.Combine(d.Dir, "repo-linked"));
        var outside = Path.Combine(d.Dir, "outside-manifests");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "compose.yaml"), "services:\n  web:\n    image: bb\n");
        Directory.CreateSymbolicLink(Path.Combine(linked.Dir, "deploy"), outside);
        linked.Commit("linked", ("README", "manifests live elsewhere\n"));
        Assert.Equal(1, d.Cli("app", "add", "linked", "--repo", linked.Dir, "--path", "deploy", "--interval", "1h", "--policy", "privileged").ExitCode);
        AssertHas(Errors("linked"), "deploy", $"symlink deploy -> {outside} points outside the revision's tree");

        // An operator at a shell: compose up from a directory keeps Docker's behaviour (../ and host binds).
        var local = Path.Combine(d.Dir, "local-project");
        Directory.CreateDirectory(Path.Combine(local, "app"));
        File.WriteAllText(Path.Combine(local, "shared.env"), "GREETING=hello\n");
        File.WriteAllText(Path.Combine(local, "app", "compose.yaml"), """
            name: localperm
            services:
              web:
                image: bb
                command: ["sleep", "3600"]
                env_file: ../shared.env
                cap_add: [SYS_ADMIN]
                volumes: ["../:/project:ro", "/etc:/host-etc:ro"]

            """);
        d.Ok("compose", "-f", Path.Combine(local, "app", "compose.yaml"), "up", "-d");
        Assert.Equal("hello", d.Ok("exec", "localperm-web-1", "sh", "-c", "echo $GREETING"));
        Assert.Equal("GREETING=hello", d.Ok("exec", "localperm-web-1", "cat", "/project/shared.env"));
        // ...unless the operator names a policy.
        var r = d.Cli("compose", "-f", Path.Combine(local, "app", "compose.yaml"), "up", "-d", "--policy", "restricted");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("env_file ../shared.env: '..' leaves the revision's tree", r.Stderr);
        d.Ok("compose", "-f", Path.Combine(local, "app", "compose.yaml"), "down");
        d.Ok("app", "rm", "esc", "linked");
    }
}
