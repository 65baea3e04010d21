using System.Text;

namespace GitOps.Bench.Manifests;

/// <summary>Generated applications of a given size, written the way people write them (mixed syntaxes).</summary>
internal static class Generated
{
    public static string Compose(int services, bool stack)
    {
        var sb = new StringBuilder("services:\n");
        for (var i = 0; i < services; i++)
        {
            sb.Append($"  svc{i}:\n    image: \"registry.local/team/svc{i}:1.{i % 10}\"\n");
            sb.Append("    environment:\n      MODE: production\n      WORKERS: \"4\"\n");
            sb.Append(i % 3 == 0 ? $"    ports:\n      - \"{10000 + i}:8080\"\n" : "    expose: [\"8080\"]\n");
            sb.Append($"    volumes:\n      - data{i % 10}:/var/lib/data\n");
            sb.Append("    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 15s\n");
            if (i > 0 && i % 4 == 0 && !stack) sb.Append($"    depends_on: [svc{i - 1}]\n");
            sb.Append("    deploy:\n      replicas: 2\n      resources:\n        limits: {cpus: \"0.5\", memory: 256M}\n      update_config: {parallelism: 1, order: start-first}\n");
            sb.Append("    networks: [front, back]\n");
        }
        sb.Append("networks:\n  front:\n  back:\nvolumes:\n");
        for (var v = 0; v < 10; v++) sb.Append($"  data{v}:\n");
        return sb.ToString();
    }

    public static string Kubernetes(int workloads)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < workloads; i++)
        {
            if (i > 0) sb.Append("---\n");
            sb.Append($"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w{i}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: w{i}}}\n");
            sb.Append($"  template:\n    metadata:\n      labels: {{app: w{i}}}\n    spec:\n      containers:\n        - name: main\n          image: \"img/w{i}:1\"\n");
            sb.Append("          ports: [{name: http, containerPort: 8080}]\n          readinessProbe: {httpGet: {path: /ready, port: http}}\n");
            sb.Append("          resources: {limits: {cpu: 500m, memory: 256Mi}}\n");
            sb.Append($"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: w{i}\nspec:\n  selector: {{app: w{i}}}\n  ports: [{{port: 80, targetPort: http}}]\n");
        }
        return sb.ToString();
    }
}
