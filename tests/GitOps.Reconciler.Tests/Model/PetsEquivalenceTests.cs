using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Model;

namespace GitOps.Reconciler.Tests.Model;

/// <summary>
/// The pets application written as Compose, as a stack and as Kubernetes objects is the same application:
/// same services, images, ports, names to reach them by, and persistent data. What each format decides by
/// default (how a change rolls out, restart timing, grace period) differs on purpose and is asserted too.
/// </summary>
public sealed class PetsEquivalenceTests
{
    private static Application Pets(string folder)
    {
        var result = Load.Files(new LoadOptions { Name = "pets" }, TestPaths.Examples("pets/" + folder));
        Load.AssertValid(result, "pets/" + folder);
        Assert.Empty(result.Warnings);
        return result.Application!;
    }

    /// <summary>What a user of the application sees, whatever format it came from.</summary>
    private sealed record Shape(
        string Name,
        string Service,
        string Image,
        string? Command,
        string Env,
        int Replicas,
        string Listens,
        string Published,
        string PersistentData,
        string ReachableAs);

    private static List<Shape> ShapeOf(Application app)
    {
        var shapes = new List<Shape>();
        foreach (var s in app.Services.Values)
        {
            var c = s.Template.Containers.Single();
            var listens = c.Ports.Select(p => p.Port).Concat(s.Ports.Select(p => p.Target)).Distinct().Order();
            // Published: Compose/stack ports of the service, or NodePort routes in front of it.
            var published = s.Ports.Where(p => p.Published is not null).Select(p => $"{p.Published}/{p.Protocol}->{p.Target}")
                .Concat(app.Routes.Values.Where(r => r.Type == RouteType.NodePort && r.Backends.Contains(s.Name))
                    .SelectMany(r => r.Ports).Where(p => p.NodePort is not null).Select(p => $"{p.NodePort}/{p.Protocol}->{p.Resolved[s.Name]}"));
            var persistent = c.Mounts.Where(m => m.Type is MountType.Volume or MountType.ClaimTemplate).Select(m => $"{m.Source}@{m.Target}");
            // Compose and stacks: every service answers to its name. Kubernetes: the Services that select it.
            var names = s.Format == SourceFormat.Kubernetes
                ? app.Routes.Values.Where(r => r.Backends.Contains(s.Name)).Select(r => r.Name)
                : [s.Name];
            shapes.Add(new Shape(app.Name, s.Name, c.Image, c.Command?.ToString(), string.Join(",", c.Env.Select(e => e.Name + "=" + e.Value)),
                s.Replication.Replicas, string.Join(",", listens), string.Join(",", published.Order(StringComparer.Ordinal)),
                string.Join(",", persistent), string.Join(",", names.Order(StringComparer.Ordinal))));
        }
        return shapes;
    }

    [Fact]
    public void AllThreeFormatsDescribeTheSameApplication()
    {
        var compose = ShapeOf(Pets("compose"));
        Assert.Equal(compose, ShapeOf(Pets("stack")));
        Assert.Equal(compose, ShapeOf(Pets("k8s")));
        Assert.Equal(
            [
                new Shape("pets", "db", "pets-db:1.0", null, "", 1, "5432", "", "pets-data@/var/lib/postgresql/data", "db"),
                new Shape("pets", "web", "pets-web:1.0", null, "", 1, "3000", "3000/tcp->3000", "", "web"),
            ],
            compose);
    }

    [Fact]
    public void EachFormatKeepsItsOwnDefaultsWrittenOut()
    {
        var compose = Pets("compose");
        var stack = Pets("stack");
        var k8s = Pets("k8s");

        Assert.Equal(UpdateKind.Recreate, compose.Services["web"].Update.Kind);
        Assert.Equal(RestartPolicy.Never, compose.Services["web"].Template.Restart);

        var stackWeb = stack.Services["web"].Update;
        Assert.Equal((UpdateKind.Rolling, IntOrPercent.Count(1), IntOrPercent.Count(0)), (stackWeb.Kind, stackWeb.MaxSurge, stackWeb.MaxUnavailable));
        Assert.Equal((1, 0), stackWeb.Resolve(1));
        Assert.Equal(TimeSpan.FromSeconds(5), stack.Services["db"].Template.Restart.Delay);

        var k8sWeb = k8s.Services["web"];
        Assert.Equal((IntOrPercent.Percentage(25), IntOrPercent.Percentage(25)), (k8sWeb.Update.MaxSurge, k8sWeb.Update.MaxUnavailable));
        Assert.Equal((1, 0), k8sWeb.Update.Resolve(1)); // 25% of 1 replica: surge rounds up to 1, unavailability down to 0
        Assert.Equal(TimeSpan.FromSeconds(30), k8sWeb.Template.StopGracePeriod);
        Assert.Equal(PodManagement.OrderedReady, k8s.Services["db"].Stateful!.PodManagement);
        Assert.Equal(100L * 1024 * 1024, k8s.Services["db"].Stateful!.ClaimTemplates.Single().Claim.StorageBytes);
    }

    [Fact]
    public void ComposeAndStackDifferOnlyInTheirFormatsDefaults()
    {
        var compose = Pets("compose").Services["db"];
        var stack = Pets("stack").Services["db"];
        // The same container, network and mounts: only the format-owned policies differ.
        Assert.Equal(compose.Template.Containers, stack.Template.Containers);
        Assert.Equal(compose.Template.Networks, stack.Template.Networks);
        Assert.NotEqual(compose.Template.Restart, stack.Template.Restart);
    }
}
