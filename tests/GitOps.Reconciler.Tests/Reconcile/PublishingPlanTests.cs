using GitOps.Reconciler.Ports;
using GitOps.Reconciler.Ports.Local;
using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Reconcile;

namespace GitOps.Reconciler.Tests.Reconcile;

/// <summary>
/// Published ports with several replicas, as each format means them: Compose binds on each container (a range
/// gives each replica its own port), a stack's ingress ports go through a router, and what cannot work is
/// refused when the revision loads, at the ports entry, before anything is applied.
/// </summary>
public sealed class PublishingPlanTests
{
    static readonly ActualApp Nothing = new([], new HashSet<string>(), new HashSet<string>(), []);

    static DesiredApp Compile(string yaml, string file = "compose.yaml", ManifestFormat format = ManifestFormat.Auto)
    {
        var result = Load.Yaml(file, yaml, new LoadOptions { Format = format });
        Load.AssertValid(result, yaml);
        return Compiler.Compile("app", "p", "rev", result.Application!);
    }

    static List<string> HostPorts(DesiredApp app, string service, int ordinal) =>
        ContainerRequests.Build(Compiler.Replica(app, app.Service(service)!, ordinal)[0]).HostConfig.PortBindings.SelectMany(kv => kv.Value.Select(b => $"{b.HostPort}->{kv.Key}")).ToList();

    const string Pets = "services:\n  web:\n    image: pets-web:1.0\n    ports:\n      - \"{0}\"\n    deploy: {{replicas: {1}}}\n";

    [Fact]
    public void A_compose_range_gives_each_replica_the_next_port_and_needs_no_router()
    {
        var app = Compile(string.Format(Pets, "3000-3002:3000", 3));
        Assert.Empty(app.Routers);
        Assert.Equal(["3000->3000/tcp"], HostPorts(app, "web", 1));
        Assert.Equal(["3001->3000/tcp"], HostPorts(app, "web", 2));
        Assert.Equal(["3002->3000/tcp"], HostPorts(app, "web", 3));
        var web = app.Service("web")!.Spec;
        Assert.Equal((3000, 3002), (web.Ports.Single().Published, web.Ports.Single().PublishedEnd));
    }

    [Fact]
    public void Compose_replicas_without_a_host_port_each_get_an_ephemeral_one()
    {
        var app = Compile(string.Format(Pets, "3000", 3));
        Assert.Empty(app.Routers);
        Assert.All([1, 2, 3], o => Assert.Equal(["->3000/tcp"], HostPorts(app, "web", o)));
    }

    [Fact]
    public void A_fixed_host_port_with_several_compose_replicas_is_refused_at_the_ports_entry()
    {
        var error = Load.SingleError(Load.Yaml("compose.yaml", string.Format(Pets, "3000:3000", 3)));
        Assert.Equal((5, 9, "services.web.ports[0]", "ports.replicas"), (error.Line, error.Column, error.Path, error.Code));
        Assert.Contains("3 replicas but publishes the fixed host port 3000/tcp", error.Message);
        Assert.Contains("\"3000-3002:3000\"", error.Message);
    }

    [Fact]
    public void A_range_shorter_than_the_replica_count_is_refused()
    {
        var error = Load.SingleError(Load.Yaml("compose.yaml", string.Format(Pets, "3000-3001:3000", 3)));
        Assert.Equal((5, "services.web.ports[0]"), (error.Line, error.Path));
        Assert.Contains("the published range 3000-3001 has 2 port(s)", error.Message);
    }

    [Fact]
    public void The_long_syntax_takes_a_published_range_too()
    {
        var app = Compile("services:\n  web:\n    image: w\n    deploy: {replicas: 2}\n    ports:\n      - target: 80\n        published: \"8080-8081\"\n");
        Assert.Equal(["8081->80/tcp"], HostPorts(app, "web", 2));
    }

    [Fact]
    public void A_stack_publishes_a_fixed_port_for_any_number_of_replicas_through_one_router()
    {
        var app = Compile(string.Format(Pets, "3000:3000", 3), "docker-stack.yml");
        var router = Assert.Single(app.Routers);
        Assert.Equal(("p-web-3000-tcp", 3000, 3000), (router.Name, router.Port, router.HostPort!.Value));
        Assert.Empty(HostPorts(app, "web", 2));
    }

    [Fact]
    public void A_stack_range_for_one_target_publishes_every_port_of_it_as_docker_stack_deploy_does()
    {
        var app = Compile(string.Format(Pets, "3000-3001:3000", 2), "docker-stack.yml");
        Assert.Equal([("p-web-3000-tcp", 3000), ("p-web-3000-tcp-3001", 3001)], app.Routers.Select(r => (r.Name, r.HostPort!.Value)));
    }

    [Fact]
    public void A_stack_host_mode_port_binds_on_the_replica_and_more_than_one_replica_is_refused()
    {
        const string Stack = "services:\n  web:\n    image: w\n    deploy: {{replicas: {0}}}\n    ports:\n      - target: 80\n        published: 8080\n        mode: host\n";
        var one = Compile(string.Format(Stack, 1), "docker-stack.yml");
        Assert.Empty(one.Routers);
        Assert.Equal(["8080->80/tcp"], HostPorts(one, "web", 1));

        var error = Load.SingleError(Load.Yaml("docker-stack.yml", string.Format(Stack, 2)));
        Assert.Equal((6, "services.web.ports[0]"), (error.Line, error.Path));
        Assert.Contains("mode: host", error.Message);
    }

    [Fact]
    public void A_stack_host_mode_port_cannot_be_handed_over_by_a_start_first_update()
    {
        var error = Load.SingleError(Load.Yaml("docker-stack.yml",
            "services:\n  web:\n    image: w\n    deploy:\n      update_config: {order: start-first}\n    ports:\n      - {target: 80, published: 8080, mode: host}\n"));
        Assert.Equal((7, "services.web.ports[0]"), (error.Line, error.Path));
        Assert.Contains("would start while the old one still holds the port", error.Message);
    }

    [Fact]
    public void Kubernetes_host_ports_and_host_networks_are_not_refused()
    {
        var result = Load.Yaml("web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: web }
            spec:
              replicas: 2
              selector: { matchLabels: { app: web } }
              template:
                metadata: { labels: { app: web } }
                spec:
                  hostNetwork: true
                  containers: [{ name: web, image: w, ports: [{ containerPort: 8080, hostPort: 8080 }] }]
            """);
        Load.AssertValid(result, "a Deployment with a hostPort");
    }

    [Fact]
    public void A_compose_start_first_update_puts_the_port_on_a_router_and_refuses_a_range()
    {
        const string Yaml = "services:\n  web:\n    image: w\n    ports: [\"{0}\"]\n    deploy:\n      replicas: {1}\n      update_config: {{order: start-first}}\n";
        var app = Compile(string.Format(Yaml, "3000:80", 3), format: ManifestFormat.Compose);
        Assert.Equal(3000, Assert.Single(app.Routers).HostPort);
        Assert.Empty(HostPorts(app, "web", 1));

        var error = Load.SingleError(Load.Yaml("compose.yaml", string.Format(Yaml, "3000-3002:80", 3), new LoadOptions { Format = ManifestFormat.Compose }));
        Assert.Equal(4, error.Line);
        Assert.Contains("start-first", error.Message);
    }

    [Fact]
    public void Ports_a_replica_binds_are_part_of_its_hash_and_router_ports_are_not()
    {
        static string Hash(string ports, int replicas, string file = "compose.yaml") => Compile(string.Format(Pets, ports, replicas), file).Service("web")!.Hash;
        Assert.NotEqual(Hash("3000:3000", 1), Hash("3001:3000", 1));
        Assert.NotEqual(Hash("3000:3000", 1), Hash("3000-3002:3000", 1));
        Assert.Equal(Hash("3000-3002:3000", 1), Hash("3000-3002:3000", 3)); // scaling within the range keeps replica 1
        Assert.Equal(Hash("3000:3000", 1, "docker-stack.yml"), Hash("3001:3000", 3, "docker-stack.yml"));
    }

    [Fact]
    public void A_router_that_holds_a_port_a_replica_is_about_to_bind_goes_before_the_rollout()
    {
        var direct = Compile(string.Format(Pets, "3000:3000", 1));
        var stackRouter = new RouterView("p-web-3000-tcp", 3000, "tcp", 3000, new Dictionary<string, string>(), []);
        var other = new RouterView("p-old-80-tcp", 80, "tcp", 9999, new Dictionary<string, string>(), []);
        var plan = Planner.Plan(direct, Nothing with { Routers = [stackRouter, other] }, AppPolicy.Default);
        var order = plan.Steps.Select(s => s.Describe()).ToList();
        var removeRouter = order.IndexOf("remove router p-web-3000-tcp");
        var rollout = order.FindIndex(s => s.StartsWith("service web:", StringComparison.Ordinal));
        Assert.True(removeRouter >= 0 && removeRouter < rollout, string.Join("\n", order));
        Assert.Equal("remove router p-old-80-tcp", order[^1]); // nothing needs its port: it goes last
    }

    [Fact]
    public void A_router_whose_host_port_was_removed_from_git_is_updated()
    {
        var app = Compile(string.Format(Pets, "3000", 2), "docker-stack.yml");
        var router = Assert.Single(app.Routers);
        Assert.Null(router.HostPort);
        var backends = Planner.ExpectedBackends(app, router).Select(b => new RouterBackend(b.Container, b.Port, 1, true)).ToList();
        var published = new RouterView(router.Name, 3000, "tcp", 3000, new Dictionary<string, string>(), backends);
        Assert.Empty(Planner.Plan(app, Nothing with { Routers = [published with { HostPort = null }] }, AppPolicy.Default).Steps.OfType<EnsureRouter>());
        var plan = Planner.Plan(app, Nothing with { Routers = [published] }, AppPolicy.Default);
        Assert.Contains(plan.Steps, s => s is EnsureRouter { Exists: true });
    }

    [Fact]
    public void A_policy_judges_every_port_of_a_published_range()
    {
        static LoadResult Restricted(string yaml) // unprivileged host ports only
        {
            var dir = Load.TempDir();
            File.WriteAllText(Path.Combine(dir, "compose.yaml"), yaml);
            return ManifestLoader.Load([dir], new LoadOptions { Root = dir, Policy = GitOps.Reconciler.Policy.SecurityPolicy.Restricted });
        }
        Load.AssertValid(Restricted(string.Format(Pets, "1024-1026:3000", 3)), "a range of unprivileged ports");
        var error = Load.SingleError(Restricted(string.Format(Pets, "1022-1024:3000", 3)));
        Assert.Equal((5, "services.web.ports[0]"), (error.Line, error.Path));
        Assert.Contains("host port 1022 not allowed", error.Message);
    }

    [Fact]
    public void Scaling_past_the_range_with_an_override_is_refused_at_the_ports_entry_too()
    {
        var result = Load.Yaml("compose.yaml", string.Format(Pets, "3000-3001:3000", 2));
        Load.AssertValid(result, "two replicas, two ports");
        var web = result.Application!.Services["web"];
        Assert.Empty(Validation.ReplicaPortCheck.Check(web, 2, result.Sources));
        var error = Assert.Single(Validation.ReplicaPortCheck.Check(web, 3, result.Sources));
        Assert.Equal((5, "services.web.ports[0]"), (error.Line, error.Path));
    }
}
