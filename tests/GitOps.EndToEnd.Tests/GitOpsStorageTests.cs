using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace GitOps.EndToEnd.Tests;

/// <summary>A daemon of its own (no webhook listener: the loop tests' fixture owns that port), so both classes run in parallel.</summary>
public sealed class GitOpsStorageFixture : DaemonFixture
{
    protected override string ExtraDaemonArgs => "--drift-interval 500ms";
}

/// <summary>
/// What manifests ask of storage and images, applied by the GitOps loop: named volumes, anonymous volumes,
/// files bound from the repository, secrets and configs as files and variables, StatefulSet claims, and
/// images pulled from a registry on first use.
/// </summary>
public sealed class GitOpsStorageTests(GitOpsStorageFixture d) : IClassFixture<GitOpsStorageFixture>
{
    static string Canary() => "gitops-canary-" + Guid.NewGuid().ToString("N");

    void WaitForRevision(string app, string commit)
    {
        Gitops.Eventually(() =>
        {
            using var doc = JsonDocument.Parse(d.Ok("status", "-o", "json", app));
            var s = doc.RootElement[0];
            return s.GetProperty("revision").GetString() == commit && s.GetProperty("sync").GetString() == "Synced";
        }, TimeSpan.FromSeconds(90), $"{app} at {commit[..7]}");
    }

    string Message(string app)
    {
        using var doc = JsonDocument.Parse(d.Ok("status", "-o", "json", app));
        return doc.RootElement[0].TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
    }

    string Id(string container) => d.Ok("inspect", "-f", "{{.Id}}", container);

    const string Compose = """
        services:
          db:
            image: bb
            command: ["sleep", "3600"]
            volumes:
              - data:/data
              - ./static:/static:ro
              - /scratch
            secrets: [db_pass]
            configs:
              - source: app_conf
                target: /etc/app.conf
        volumes:
          data: {}
        secrets:
          db_pass:
            file: ./db_pass.txt
        configs:
          app_conf:
            file: ./app.conf

        """;

    [Fact]
    public void Compose_volumes_secrets_configs_and_repository_files_reach_the_containers_and_changes_roll_the_service()
    {
        var secret = Canary();
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-storage"));
        var v1 = repo.Commit("v1", ("compose.yaml", Compose), ("db_pass.txt", secret), ("app.conf", "level=info\n"), ("static/index.html", "<h1>v1</h1>\n"));
        d.Ok("app", "add", "st", "--repo", repo.Dir, "--interval", "1h", "--prune");
        WaitForRevision("st", v1);

        Assert.Equal(secret, d.Ok("exec", "st-db-1", "cat", "/run/secrets/db_pass"));
        Assert.Equal("444 0:0", d.Ok("exec", "st-db-1", "stat", "-c", "%a %u:%g", "/run/secrets/db_pass"));
        Assert.Equal("level=info", d.Ok("exec", "st-db-1", "cat", "/etc/app.conf").Trim());
        Assert.Equal("<h1>v1</h1>", d.Ok("exec", "st-db-1", "cat", "/static/index.html").Trim());
        Assert.Contains("st_data", d.Ok("volume", "ls", "-q").Split('\n'));
        Assert.Contains("st_db_pass", d.Ok("secret", "ls", "--format", "{{.Name}}"));
        d.Ok("exec", "st-db-1", "sh", "-c", "echo kept > /data/keep; echo anon > /scratch/a");

        // An edited file the service binds, a new secret value: each rolls the service, data stays.
        var first = Id("st-db-1");
        var secret2 = Canary();
        var v2 = repo.Commit("v2", ("db_pass.txt", secret2), ("static/index.html", "<h1>v2</h1>\n"));
        var diff = d.Cli("diff", "st");
        Assert.Equal(1, diff.ExitCode);
        Assert.Contains("update secret st_db_pass", diff.Stdout);
        Assert.Contains("replace 1 replica", diff.Stdout);
        d.Ok("sync", "st");
        WaitForRevision("st", v2);
        Assert.NotEqual(first, Id("st-db-1"));
        Assert.Equal(secret2, d.Ok("exec", "st-db-1", "cat", "/run/secrets/db_pass"));
        Assert.Equal("<h1>v2</h1>", d.Ok("exec", "st-db-1", "cat", "/static/index.html").Trim());
        Assert.Equal("kept", d.Ok("exec", "st-db-1", "cat", "/data/keep").Trim());
        Assert.Equal("anon", d.Ok("exec", "st-db-1", "cat", "/scratch/a").Trim());

        // Neither value shows anywhere: not in inspect, diff, status, drift, the daemon's files or its log.
        foreach (var text in new[] { d.Ok("inspect", "st-db-1"), diff.Stdout + diff.Stderr, d.Ok("status", "-o", "json", "st"), d.Ok("drift", "-o", "json", "st"),
                     d.Ok("get", "secrets"), d.Ok("secret", "inspect", "st_db_pass") })
        {
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain(secret2, text);
        }
        // Nor in the revision trees the daemon keeps (run trees leave secret files out; checkouts are gone once loaded).
        Assert.Empty(Api.FilesContaining(Path.Combine(d.Root, "reconciler"), secret2, d.DaemonLog));
        Assert.Empty(Api.FilesContaining(Path.Combine(d.Root, "reconciler"), secret));
        Assert.All(Directory.GetDirectories("/dev/shm", "gitops-checkouts-*"), dir => Assert.Empty(Api.FilesContaining(dir, secret2)));
        // What containers bind is still there: the run tree has the bound files, without the secret file.
        var trees = Directory.GetDirectories(Path.Combine(d.Root, "reconciler", "trees"));
        Assert.Contains(trees, t => File.Exists(Path.Combine(t, "static", "index.html")));
        Assert.DoesNotContain(trees, t => File.Exists(Path.Combine(t, "db_pass.txt")));
        Assert.Empty(Api.FilesContaining(Path.Combine(d.Root, "secrets"), secret2));

        // The volume leaves Git: prune is on but prune-volumes is not, so the data stays and status says so.
        var v3 = repo.Commit("v3", ("compose.yaml", Compose.Replace("      - data:/data\n", "").Replace("volumes:\n  data: {}\n", "")));
        d.Ok("sync", "st");
        WaitForRevision("st", v3);
        Assert.Contains("st_data", d.Ok("volume", "ls", "-q").Split('\n'));
        Assert.Contains("volume st_data is no longer in Git", Message("st"));

        // Removing the app takes its secrets and configs, its repository's mirror and its trees; volumes stay unless asked for.
        var mirrors = Directory.GetDirectories(Path.Combine(d.Root, "reconciler", "git")).Length;
        d.Ok("app", "rm", "--remove-resources", "st");
        Assert.Equal(mirrors - 1, Directory.GetDirectories(Path.Combine(d.Root, "reconciler", "git")).Length);
        foreach (var rev in new[] { v1, v2, v3 }) Assert.False(Directory.Exists(Path.Combine(d.Root, "reconciler", "trees", rev)), $"tree {rev} left behind");
        Assert.DoesNotContain("st_db_pass", d.Ok("secret", "ls", "--format", "{{.Name}}"));
        Assert.DoesNotContain("st_app_conf", d.Ok("config", "ls", "--format", "{{.Name}}"));
        var volumes = d.Ok("volume", "ls", "-q").Split('\n');
        Assert.Contains("st_data", volumes);
        foreach (var v in volumes.Where(v => v.StartsWith("st", StringComparison.Ordinal))) d.Ok("volume", "rm", v);
    }

    [Fact]
    public void Kubernetes_secrets_config_maps_claims_and_scratch_space()
    {
        var password = Canary();
        var b64 = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(password));
        static string Manifests(string b64, int sts) => $$"""
            apiVersion: v1
            kind: Secret
            metadata: { name: db }
            data: { password: {{b64}} }
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: { name: settings }
            data: { mode: fast, "app.ini": "x=1" }
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: { name: shared }
            spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: api }
            spec:
              replicas: 1
              selector: { matchLabels: { app: api } }
              template:
                metadata: { labels: { app: api } }
                spec:
                  containers:
                    - name: main
                      image: bb
                      imagePullPolicy: IfNotPresent # "bb" is local: tests never reach out to a public registry
                      command: ["sh", "-c", "echo from-main > /cache/hello; sleep 3600"]
                      env:
                        - name: PASSWORD
                          valueFrom: { secretKeyRef: { name: db, key: password } }
                        - name: MODE
                          valueFrom: { configMapKeyRef: { name: settings, key: mode } }
                        - name: POD
                          valueFrom: { fieldRef: { fieldPath: metadata.name } }
                      volumeMounts:
                        - { name: cache, mountPath: /cache }
                        - { name: creds, mountPath: /etc/creds }
                        - { name: conf, mountPath: /etc/conf }
                        - { name: shared, mountPath: /shared }
                    - name: side
                      image: bb
                      imagePullPolicy: IfNotPresent
                      command: ["sleep", "3600"]
                      volumeMounts:
                        - { name: cache, mountPath: /cache }
                  volumes:
                    - { name: cache, emptyDir: {} }
                    - { name: creds, secret: { secretName: db } }
                    - { name: conf, configMap: { name: settings } }
                    - { name: shared, persistentVolumeClaim: { claimName: shared } }
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: { name: store }
            spec:
              replicas: {{sts}}
              serviceName: store
              selector: { matchLabels: { app: store } }
              template:
                metadata: { labels: { app: store } }
                spec:
                  containers:
                    - name: store
                      image: bb
                      imagePullPolicy: Never
                      command: ["sh", "-c", "hostname > /var/data/owner; sleep 3600"]
                      volumeMounts: [{ name: data, mountPath: /var/data }]
              volumeClaimTemplates:
                - metadata: { name: data }
                  spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }

            """;
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-k8s-storage"));
        var v1 = repo.Commit("v1", ("app.yaml", Manifests(b64, 2)));
        d.Ok("app", "add", "ks", "--repo", repo.Dir, "--interval", "1h", "--prune");
        WaitForRevision("ks", v1);

        // secretKeyRef reaches the process, not the container's config.
        Assert.Equal(password, d.Ok("exec", "ks-api-1", "sh", "-c", "printf %s \"$PASSWORD\""));
        Assert.Equal("fast ks-api-1", d.Ok("exec", "ks-api-1", "sh", "-c", "echo $MODE $POD"));
        Assert.DoesNotContain(password, d.Ok("inspect", "ks-api-1"));
        Assert.Equal(password, d.Ok("exec", "ks-api-1", "cat", "/etc/creds/password"));
        Assert.Equal("x=1", d.Ok("exec", "ks-api-1", "cat", "/etc/conf/app.ini"));
        // The pod's containers share their emptyDir.
        Gitops.Eventually(() => d.Cli("exec", "ks-api-1-side", "cat", "/cache/hello").Stdout.Trim() == "from-main", TimeSpan.FromSeconds(10), "shared emptyDir");
        var table = d.Ok("get", "secrets");
        Assert.Contains("ks_db", table);
        Assert.DoesNotContain(password, table);
        // One claim per StatefulSet replica, each with its own data.
        Assert.Equal("ks-store-0", d.Ok("exec", "ks-store-0", "cat", "/var/data/owner"));
        var pvc = d.Ok("get", "pvc");
        foreach (var name in new[] { "ks_shared", "ks_data-store-0", "ks_data-store-1" }) Assert.Contains(name, pvc);

        // Scaling the set down keeps the claim of the replica that went, as Kubernetes does.
        var v2 = repo.Commit("v2", ("app.yaml", Manifests(b64, 1)));
        d.Ok("sync", "ks");
        WaitForRevision("ks", v2);
        Assert.DoesNotContain("ks-store-1", d.Ok("ps", "-a", "--format", "{{.Names}}"));
        Assert.Contains("ks_data-store-1", d.Ok("volume", "ls", "-q"));

        // Removing everything with volumes: nothing of the app is left.
        d.Ok("app", "rm", "--remove-resources", "--remove-volumes", "ks");
        Assert.DoesNotContain("ks_", d.Ok("volume", "ls", "-q"));
        Assert.DoesNotContain("ks_db", d.Ok("secret", "ls", "--format", "{{.Name}}"));
    }

    [Fact]
    public void A_missing_image_is_pulled_from_the_registry_before_the_service_starts()
    {
        using var registry = new LocalRegistry(Path.Combine(d.Dir, "loop-registry"));
        var image = $"{registry.Address}/loop/bb:v1";
        d.Ok("tag", "bb", image);
        d.Ok("push", image);
        d.Ok("rmi", image);
        Assert.DoesNotContain(image, d.Ok("images", "--format", "{{.Repository}}:{{.Tag}}"));

        var repo = new TestRepo(Path.Combine(d.Dir, "repo-pull"));
        var v1 = repo.Commit("v1", ("compose.yaml", $"services:\n  p:\n    image: {image}\n    command: [\"sleep\", \"3600\"]\n"));
        d.Ok("app", "add", "pl", "--repo", repo.Dir, "--interval", "1h");
        WaitForRevision("pl", v1);
        Assert.Equal("running", d.Ok("inspect", "-f", "{{.State.Status}}", "pl-p-1"));
        Assert.Contains(image, d.Ok("images", "--format", "{{.Repository}}:{{.Tag}}"));
        Assert.Contains("pulling " + image, File.ReadAllText(d.DaemonLog));

        // An image that does not exist fails the sync with the registry's reason; nothing half-applied.
        var v2 = repo.Commit("v2", ("compose.yaml", $"services:\n  p:\n    image: {registry.Address}/loop/nope:v1\n    command: [\"sleep\", \"3600\"]\n"));
        var sync = d.Cli("sync", "pl");
        Assert.NotEqual(0, sync.ExitCode);
        Assert.Contains("nope", sync.Stdout + sync.Stderr);
        Assert.Equal("running", d.Ok("inspect", "-f", "{{.State.Status}}", "pl-p-1"));
        Assert.Equal(image, d.Ok("inspect", "-f", "{{.Config.Image}}", "pl-p-1"));
        _ = v2;
        d.Ok("app", "rm", "--remove-resources", "pl");
        d.Ok("rmi", image);
    }

    [Fact]
    public void Kubernetes_http_and_tcp_probes_run_without_tools_in_the_image_and_gate_the_rollout()
    {
        static string Deployment(string probe) => $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web }
            spec:
              replicas: 1
              selector: { matchLabels: { app: web } }
              template:
                metadata: { labels: { app: web } }
                spec:
                  containers:
                    - name: web
                      image: bb
                      imagePullPolicy: Never
                      command: ["sh", "-c", "mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www"]
                      ports: [{ name: http, containerPort: 8080 }]
                      readinessProbe:
                        {{probe}}
                        periodSeconds: 1
                        timeoutSeconds: 1
                        failureThreshold: 2

            """;
        var repo = new TestRepo(Path.Combine(d.Dir, "repo-probes"));
        var v1 = repo.Commit("v1", ("web.yaml", Deployment("httpGet: { path: /healthz, port: http }")));
        d.Ok("app", "add", "pr", "--repo", repo.Dir, "--interval", "1h");
        WaitForRevision("pr", v1);
        Assert.Equal("healthy", d.Ok("inspect", "-f", "{{.State.Health.Status}}", "pr-web-1"));
        Assert.Contains("HTTP probe of port 8080/healthz: HTTP/1.", d.Ok("inspect", "-f", "{{json .State.Health}}", "pr-web-1"));

        // A TCP probe on a port nothing listens on: the new replica never becomes ready, the sync fails and says
        // why, and the old replica keeps its name and serves on.
        var before = Id("pr-web-1");
        var v2 = repo.Commit("v2", ("web.yaml", Deployment("tcpSocket: { port: 9999 }")));
        var sync = d.Cli("sync", "pr");
        Assert.NotEqual(0, sync.ExitCode);
        Assert.Contains("unhealthy", sync.Stdout + sync.Stderr);
        Assert.Contains("TCP probe of port 9999", sync.Stdout + sync.Stderr);
        Assert.Equal(before, Id("pr-web-1"));
        Assert.Equal("running", d.Ok("inspect", "-f", "{{.State.Status}}", "pr-web-1"));
        Assert.DoesNotContain("-old-", d.Ok("ps", "-a", "--filter", "label=gitops.app=pr", "--format", "{{.Names}}"));
        _ = v2;
        d.Ok("app", "rm", "--remove-resources", "pr");
    }
}
