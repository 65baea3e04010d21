namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// Drift is the plan against the last applied state, told as findings: each step that would be needed
/// says what was expected and what was found. Keys are stable, so "since" survives between checks.
/// </summary>
internal static class DriftFinder
{
    public static IReadOnlyList<DriftItem> Items(string project, Plan plan, ActualApp actual, Func<string, DateTimeOffset> since)
    {
        var items = new List<DriftItem>();
        void Add(string kind, string resource, string expected, string found) =>
            items.Add(new DriftItem(kind, resource, expected, found, since(kind + "|" + resource)));
        foreach (var step in plan.Steps)
        {
            switch (step)
            {
                case CreateNetwork n:
                    Add("missing", "network/" + n.Network.EngineName, "network exists", "no such network");
                    break;
                case RolloutService r:
                    var svc = r.Service;
                    foreach (var o in r.Create)
                        Add("missing", "container/" + svc.ReplicaName(project, o), $"replica {o} of {svc.Name} running", "no such container");
                    foreach (var o in r.Start)
                    {
                        var c = actual.Containers.FirstOrDefault(x => x.Name == svc.ReplicaName(project, o));
                        Add("stopped", "container/" + svc.ReplicaName(project, o), "running", c is null ? "not running" : $"{c.Status} (exit code {c.ExitCode})");
                    }
                    foreach (var o in r.Replace)
                    {
                        var c = actual.Containers.First(x => x.Name == svc.ReplicaName(project, o));
                        var image = svc.Spec.Template.Containers.FirstOrDefault()?.Image;
                        if (image is not null && c.Image != image) Add("changed", "container/" + c.Name, "image " + image, "image " + c.Image);
                        else if (c.Hash != svc.Hash) Add("changed", "container/" + c.Name, "spec " + Short(svc.Hash), "spec " + Short(c.Hash));
                        else Add("changed", "container/" + c.Name, "environment as in Git", "environment changed: " + string.Join(", ", Planner.MissingEnv(svc, c)));
                    }
                    foreach (var c in r.Remove)
                        Add("unexpected", "container/" + c.Name, $"{svc.Replicas} replica(s) of {svc.Name}", c.Ordinal is { } n && n >= svc.FirstOrdinal + svc.Replicas ? $"extra replica {n}" : "container not in Git");
                    break;
                case RemoveService s:
                    foreach (var c in s.Containers) Add("unexpected", "container/" + c.Name, "no service " + s.Service, "container of a service not in Git");
                    break;
                case EnsureRouter e:
                    Add(e.Exists ? "changed" : "missing", "router/" + e.Router.Name, "backends " + string.Join(",", e.Router.Backends.Select(b => b.Service)), e.Exists ? "other backends or ports" : "no such router");
                    break;
                case RemoveRouter rr:
                    Add("unexpected", "router/" + rr.Name, "no router", "router not in Git");
                    break;
                case CreateVolume v:
                    Add("missing", "volume/" + v.Volume.EngineName, "volume exists", "no such volume");
                    break;
                case RemoveVolume rv:
                    Add("unexpected", "volume/" + rv.Name, "no volume", "volume not in Git");
                    break;
                case EnsureObject o:
                    // Digests only: the value is never read back, let alone shown.
                    Add(o.Exists ? "changed" : "missing", $"{o.Kind}/{o.Object.EngineName}", $"content {o.Object.Digest}",
                        o.Exists ? "other content (changed outside Git)" : $"no such {o.Kind}");
                    break;
                case RemoveObject ro:
                    Add("unexpected", $"{ro.Kind}/{ro.Name}", $"no {ro.Kind}", $"{ro.Kind} not in Git");
                    break;
                case RemoveNetwork rn:
                    Add("unexpected", "network/" + rn.Name, "no network", "network not in Git");
                    break;
            }
        }
        return items;
    }

    static string Short(string hash) => hash.StartsWith("sha256:", StringComparison.Ordinal) ? hash[7..19] : hash;
}
