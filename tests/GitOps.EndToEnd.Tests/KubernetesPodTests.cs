using System.Globalization;
using System.Net;
using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace GitOps.EndToEnd.Tests;

/// <summary>A daemon of its own, so these tests run beside the other GitOps classes.</summary>
public sealed class KubernetesPodFixture : DaemonFixture
{
    protected override string ExtraDaemonArgs => "--drift-interval 500ms";
}

/// <summary>
/// Pods as Kubernetes runs them, through the GitOps loop with real containers: init containers and native
/// sidecars in order, sharing the pod's network and volumes; $(VAR) expansion and the downward API, with
/// values only the node knows filled in at start and secret values never leaving the process.
/// </summary>
public sealed class KubernetesPodTests(KubernetesPodFixture d) : IClassFixture<KubernetesPodFixture>
{
    void WaitForRevision(string app, string commit)
    {
        Gitops.Eventually(() =>
        {
            using var doc = JsonDocument.Parse(d.Ok("status", "-o", "json", app));
            var s = doc.RootElement[0];
            return s.GetProperty("revision").GetString() == commit && s.GetProperty("sync").GetString() == "Synced";
        }, TimeSpan.FromSeconds(120), $"{app} at {commit[..7]}; log:\n{File.ReadAllText(d.DaemonLog)}");
    }

    const string Sidecars = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web }
        spec:
          replicas: 1
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec:
              terminationGracePeriodSeconds: 2 # sleep and sh as PID 1 ignore SIGTERM: do not wait 30 s for each
              volumes:
                - name: shared
              initContainers:
                - name: setup
                  image: bb
                  imagePullPolicy: Never
                  command: ["sh", "-c", "mkdir -p /shared/www && echo setup-done > /shared/setup"]
                  volumeMounts: [{ name: shared, mountPath: /shared }]
                - name: feeder
                  image: bb
                  imagePullPolicy: Never
                  restartPolicy: Always
                  # Starts only after setup completed; serves on the pod's loopback; exits when asked (and is restarted).
                  command: ["sh", "-c", "cat /shared/setup > /shared/www/index.html && echo feeder >> /shared/www/index.html && httpd -p 127.0.0.1:8081 -h /shared/www; while [ ! -f /shared/stop ]; do sleep 0.2; done; rm /shared/stop; exit 3"]
                  readinessProbe: { tcpSocket: { port: 8081 }, periodSeconds: 1 }
                  volumeMounts: [{ name: shared, mountPath: /shared }]
              containers:
                - name: app
                  image: bb
                  imagePullPolicy: Never
                  # The sidecar must already answer on localhost when the app starts.
                  command: ["sh", "-c", "wget -qO /tmp/seen http://127.0.0.1:8081/ && cp /tmp/seen /shared/seen-by-app && exec sleep 3600"]
                  volumeMounts: [{ name: shared, mountPath: /shared }]

        """;

    [Fact]
    public void Init_containers_complete_and_native_sidecars_run_before_beside_and_after_the_app()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-sidecar"));
        var v1 = repo.Commit("v1", ("app.yaml", Sidecars));
        d.Ok("app", "add", "sc", "--repo", repo.Dir, "--interval", "1h", "--prune");
        WaitForRevision("sc", v1);

        // The app read, over the pod's loopback, what the sidecar serves from what the init container wrote.
        Assert.Equal("setup-done\nfeeder", d.Ok("exec", "sc-web-1", "cat", "/shared/seen-by-app"));
        Assert.Equal("exited 0", d.Ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "sc-web-1-setup"));
        Assert.Equal("running", d.Ok("inspect", "-f", "{{.State.Status}}", "sc-web-1-feeder"));

        // A sidecar that exits is restarted, whatever the pod's restart policy; the app keeps running.
        d.Ok("exec", "sc-web-1", "touch", "/shared/stop");
        Gitops.Eventually(() => d.Ok("inspect", "-f", "{{.RestartCount}}", "sc-web-1-feeder") != "0" &&
            d.Ok("inspect", "-f", "{{.State.Status}}", "sc-web-1-feeder") == "running", TimeSpan.FromSeconds(30), "the sidecar to be restarted");
        Assert.Equal("running", d.Ok("inspect", "-f", "{{.State.Status}}", "sc-web-1"));

        // Removed from Git: the app stops first, its sidecar after it.
        Thread.Sleep(1100); // events are filtered by the second: the restart's die must fall before "since"
        var since = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var v2 = repo.Commit("v2", ("app.yaml", null));
        d.Ok("sync", "sc");
        WaitForRevision("sc", v2);
        Assert.DoesNotContain("sc-web-1", d.Ok("ps", "-a", "--format", "{{.Names}}"));
        var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var dies = d.Ok("events", "--since", since, "--until", until, "--filter", "event=die").Split('\n')
            .Select(l => l.Contains("name=sc-web-1-feeder", StringComparison.Ordinal) ? "feeder" : l.Contains("name=sc-web-1,", StringComparison.Ordinal) || l.Contains("name=sc-web-1)", StringComparison.Ordinal) ? "app" : null)
            .OfType<string>().ToList();
        Assert.Equal(["app", "feeder"], dies);
        d.Ok("app", "rm", "--remove-resources", "sc");
    }

    [Fact]
    public void A_failing_init_container_fails_the_sync_and_the_app_never_runs()
    {
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-initfail"));
        var manifest = Sidecars.Replace("echo setup-done > /shared/setup", "echo cannot-migrate; exit 7", StringComparison.Ordinal);
        repo.Commit("v1", ("app.yaml", manifest));
        var add = d.Cli("app", "add", "fi", "--repo", repo.Dir, "--interval", "1h");
        Assert.Contains("init container fi-web-1-setup exited with code 7", add.Stdout + add.Stderr);
        var sync = d.Cli("sync", "fi");
        Assert.NotEqual(0, sync.ExitCode);
        Assert.Contains("init container fi-web-1-setup exited with code 7", sync.Stdout + sync.Stderr);
        // Nothing of the pod runs, the app's command never ran; the failed init container is kept for its logs.
        Assert.DoesNotContain("fi-web-1", d.Ok("ps", "--format", "{{.Names}}").Split('\n'));
        Assert.False(File.Exists(Path.Combine(d.Root, "volumes", "fi-web-1_shared", "_data", "seen-by-app")));
        Assert.Equal("cannot-migrate", d.Ok("logs", "fi-web-1-setup"));
        d.Ok("app", "rm", "--remove-resources", "fi");
    }

    [Fact]
    public void Variables_expand_as_the_kubelet_does_and_node_fields_are_filled_in_at_start()
    {
        var password = "s3cr3t-" + Guid.NewGuid().ToString("N");
        var manifests = $$"""
            apiVersion: v1
            kind: Namespace
            metadata: { name: shop }
            ---
            apiVersion: v1
            kind: Secret
            metadata: { name: db, namespace: shop }
            stringData: { password: {{password}} }
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: api, namespace: shop }
            spec:
              selector: { app: api }
              ports: [{ port: 80 }]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: api, namespace: shop }
            spec:
              replicas: 2
              selector: { matchLabels: { app: api } }
              template:
                metadata: { labels: { app: api, tier: backend } }
                spec:
                  containers:
                    - name: main
                      image: bb
                      imagePullPolicy: Never
                      command: ["sh", "-c", "echo \"$(GREETING) from $(POD_NAME) at $(POD_IP)\" > /tmp/hello; exec sleep 3600"]
                      resources: { limits: { cpu: 500m, memory: 64Mi } }
                      env:
                        - { name: GREETING, value: hello }
                        - { name: EARLY, value: "$(LATER)" }
                        - { name: LATER, value: later }
                        - { name: ESCAPED, value: "$$(GREETING)" }
                        - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
                        - { name: POD_NAMESPACE, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
                        - { name: TIER, valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } }
                        - { name: POD_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
                        - { name: HOST_IP, valueFrom: { fieldRef: { fieldPath: status.hostIP } } }
                        - { name: NODE, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }
                        - { name: POD_UID, valueFrom: { fieldRef: { fieldPath: metadata.uid } } }
                        - { name: SA, valueFrom: { fieldRef: { fieldPath: spec.serviceAccountName } } }
                        - { name: CPU, valueFrom: { resourceFieldRef: { resource: limits.cpu } } }
                        - { name: MEM_MI, valueFrom: { resourceFieldRef: { resource: limits.memory, divisor: 1Mi } } }
                        - { name: PASSWORD, valueFrom: { secretKeyRef: { name: db, key: password } } }
                        - { name: DSN, value: "postgres://app:$(PASSWORD)@db.$(POD_NAMESPACE):5432" }
                    - name: side
                      image: bb
                      imagePullPolicy: Never
                      command: ["sleep", "3600"]
                      env:
                        - { name: POD_UID, valueFrom: { fieldRef: { fieldPath: metadata.uid } } }
                        - { name: POD_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }

            """;
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-env"));
        var v1 = repo.Commit("v1", ("app.yaml", manifests));
        d.Ok("app", "add", "ev", "--repo", repo.Dir, "--interval", "1h");
        WaitForRevision("ev", v1);

        string Env(string container, string name) => d.Ok("exec", container, "sh", "-c", $"printf %s \"${name}\"");
        const string Pod = "ev-api.shop-1";
        var ip = d.Ok("inspect", "-f", "{{.NetworkSettings.IPAddress}}", Pod);
        Assert.True(IPAddress.TryParse(ip, out _), ip);
        Assert.Equal("hello", Env(Pod, "GREETING"));
        Assert.Equal("$(LATER)", Env(Pod, "EARLY")); // defined after it: stays as written
        Assert.Equal("$(GREETING)", Env(Pod, "ESCAPED"));
        Assert.Equal((Pod, "shop", "backend"), (Env(Pod, "POD_NAME"), Env(Pod, "POD_NAMESPACE"), Env(Pod, "TIER")));
        Assert.Equal(ip, Env(Pod, "POD_IP"));
        Assert.Equal(ip, Env(Pod + "-side", "POD_IP")); // the pod's address, also in the container that joins its network
        Assert.True(IPAddress.TryParse(Env(Pod, "HOST_IP"), out var hostIp) && !IPAddress.IsLoopback(hostIp), Env(Pod, "HOST_IP"));
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/hostname").Trim(), Env(Pod, "NODE"));
        Assert.Equal(("default", "1", "64"), (Env(Pod, "SA"), Env(Pod, "CPU"), Env(Pod, "MEM_MI")));
        Assert.Equal($"postgres://app:{password}@db.shop:5432", Env(Pod, "DSN"));
        Assert.Equal($"hello from {Pod} at {ip}", d.Ok("exec", Pod, "cat", "/tmp/hello")); // command expanded against the whole environment

        // One UID per pod: shared by its containers, another for the other replica, the same after a restart.
        var uid = Env(Pod, "POD_UID");
        Assert.True(Guid.TryParse(uid, out _), uid);
        Assert.Equal(uid, Env(Pod + "-side", "POD_UID"));
        Assert.NotEqual(uid, Env("ev-api.shop-2", "POD_UID"));
        d.Ok("restart", Pod + "-side");
        Assert.Equal(uid, Env(Pod + "-side", "POD_UID"));

        // The namespace scopes names: a Service is found by its short name from its namespace, and by its cluster name.
        var resolv = d.Ok("exec", Pod, "cat", "/etc/resolv.conf");
        Assert.Contains("search shop.svc.cluster.local svc.cluster.local cluster.local", resolv);
        Assert.Contains("ndots:5", resolv);
        // busybox nslookup tries every search domain and exits 1 if one of them fails: an answer is what counts
        // ("Address: " with a space; the server line has a tab).
        foreach (var name in new[] { "api", "api.shop", "api.shop.svc.cluster.local" })
        {
            var answer = d.Cli("exec", Pod, "nslookup", name);
            Assert.True(answer.Stdout.Contains("\nAddress: ", StringComparison.Ordinal), name + ": " + answer);
        }
        var unknown = d.Cli("exec", Pod, "nslookup", "nope.shop.svc.cluster.local");
        Assert.True(unknown.ExitCode != 0 && !unknown.Stdout.Contains("\nAddress: ", StringComparison.Ordinal), unknown.ToString());
        Assert.Contains("NXDOMAIN", unknown.Stdout);

        // The secret's value is in the process only: not in inspect, not in the daemon's log or the app's status.
        Assert.DoesNotContain(password, d.Ok("inspect", Pod));
        Assert.DoesNotContain(password, File.ReadAllText(d.DaemonLog));
        Assert.DoesNotContain(password, d.Ok("status", "-o", "json", "ev"));
        // Nothing to heal: the expanded values are what the container is expected to have.
        Thread.Sleep(1500);
        Assert.DoesNotContain("ev-api", d.Ok("drift", "ev"));
        d.Ok("app", "rm", "--remove-resources", "ev");
    }
}
