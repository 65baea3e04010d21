using System.Text;

namespace GitOps.Reconciler.Tests.Properties;

/// <summary>
/// Writes random but valid applications (Compose, stack or Kubernetes) from a seed, covering the syntaxes
/// the loaders accept: short and long ports and volumes, list and map environments, healthchecks, deploy
/// sections, probes, secrets. Also used by the benchmark's idea of "1,000 services".
/// </summary>
internal static class AppGenerator
{
    public static string Compose(int seed, int services, bool stack = false)
    {
        var rnd = new Random(seed);
        var sb = new StringBuilder("services:\n");
        for (var i = 0; i < services; i++)
        {
            sb.Append($"  svc{i}:\n    image: \"registry.local/team/svc{i}:{rnd.Next(1, 9)}.{rnd.Next(0, 20)}\"\n");
            if (rnd.Next(3) == 0) sb.Append("    command: [\"serve\", \"--port\", \"8080\"]\n");
            else if (rnd.Next(3) == 0) sb.Append("    command: serve --verbose 'quoted arg'\n");
            if (rnd.Next(2) == 0)
                sb.Append($"    environment:\n      MODE: production\n      WORKERS: \"{rnd.Next(1, 16)}\"\n");
            else
                sb.Append($"    environment:\n      - MODE=staging\n      - LEVEL={rnd.Next(5)}\n");
            switch (rnd.Next(4))
            {
                case 0: sb.Append($"    ports:\n      - \"{10000 + i}:8080\"\n"); break;
                case 1: sb.Append($"    ports:\n      - target: 8080\n        published: {20000 + i}\n        protocol: tcp\n"); break;
                case 2: sb.Append("    expose: [\"8080\"]\n"); break;
            }
            if (rnd.Next(2) == 0) sb.Append($"    volumes:\n      - data{i % 7}:/var/lib/data\n      - type: tmpfs\n        target: /tmp\n");
            if (rnd.Next(3) == 0) sb.Append("    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 15s\n      retries: 4\n");
            if (i > 0 && rnd.Next(3) == 0) sb.Append($"    depends_on:\n      svc{rnd.Next(i)}:\n        condition: service_started\n");
            if (rnd.Next(2) == 0)
                sb.Append($"    deploy:\n      replicas: {rnd.Next(1, 5)}\n      resources:\n        limits:\n          cpus: \"0.{rnd.Next(1, 9)}\"\n          memory: {rnd.Next(64, 512)}M\n      update_config:\n        parallelism: {rnd.Next(0, 3)}\n        order: {(rnd.Next(2) == 0 ? "start-first" : "stop-first")}\n");
            if (rnd.Next(4) == 0) sb.Append("    secrets: [api-key]\n");
            if (rnd.Next(5) == 0) sb.Append("    labels:\n      com.example.team: platform\n");
            if (!stack && rnd.Next(3) == 0) sb.Append("    restart: unless-stopped\n");
        }
        sb.Append("volumes:\n");
        for (var v = 0; v < 7; v++) sb.Append($"  data{v}:\n");
        sb.Append("secrets:\n  api-key:\n    environment: API_KEY\n");
        return sb.ToString();
    }

    public static string Kubernetes(int seed, int workloads)
    {
        var rnd = new Random(seed);
        var sb = new StringBuilder();
        sb.Append("apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: generated\n");
        for (var i = 0; i < workloads; i++)
        {
            var kind = rnd.Next(3) switch { 0 => "Deployment", 1 => "StatefulSet", _ => "ReplicaSet" };
            sb.Append($"---\napiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: w{i}\n  labels:\n    app: w{i}\nspec:\n  replicas: {rnd.Next(1, 6)}\n");
            if (kind == "StatefulSet") sb.Append($"  serviceName: w{i}\n");
            if (kind == "Deployment" && rnd.Next(2) == 0) sb.Append($"  strategy:\n    rollingUpdate:\n      maxSurge: {rnd.Next(0, 3)}\n      maxUnavailable: \"{rnd.Next(1, 50)}%\"\n");
            sb.Append($"  selector:\n    matchLabels:\n      app: w{i}\n  template:\n    metadata:\n      labels:\n        app: w{i}\n        tier: t{i % 3}\n    spec:\n");
            sb.Append($"      containers:\n        - name: main\n          image: \"img/w{i}:{rnd.Next(1, 5)}\"\n          ports:\n            - name: http\n              containerPort: {8000 + rnd.Next(100)}\n");
            sb.Append("          env:\n            - name: PASSWORD\n              valueFrom:\n                secretKeyRef: {name: creds, key: password}\n");
            if (rnd.Next(2) == 0) sb.Append("          readinessProbe:\n            httpGet: {path: /ready, port: http}\n            periodSeconds: 5\n");
            if (rnd.Next(2) == 0) sb.Append($"          resources:\n            limits: {{cpu: {rnd.Next(100, 900)}m, memory: {rnd.Next(64, 512)}Mi}}\n");
            if (kind == "StatefulSet")
                sb.Append("          volumeMounts: [{name: data, mountPath: /data}]\n  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec:\n        accessModes: [ReadWriteOnce]\n        resources: {requests: {storage: 1Gi}}\n");
            sb.Append($"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: w{i}\nspec:\n  selector:\n    app: w{i}\n  ports:\n    - port: 80\n      targetPort: http\n");
        }
        return sb.ToString();
    }
}
