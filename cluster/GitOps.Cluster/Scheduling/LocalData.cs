using GitOps.Reconciler.Model;

namespace GitOps.Cluster.Scheduling;

/// <summary>
/// Which volumes of a service keep data on the node a task runs on: named volumes of the local driver (Compose),
/// persistent volume claims and StatefulSet claim templates (Kubernetes). A task that mounts one is bound to its
/// node from then on (<see cref="PlacedTask.DataVolume"/>). Bind mounts, tmpfs and emptyDir are not: host
/// paths are the operator's to pin with constraints, the others die with the task anyway.
/// </summary>
internal static class LocalData
{
    public static IReadOnlyList<string> VolumesOf(Application app, Service service)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in service.Template.Containers.Concat(service.Template.InitContainers))
        {
            foreach (var m in c.Mounts)
            {
                if (m.Source is not { } source) continue;
                if (m.Type == MountType.ClaimTemplate) result.Add(source);
                else if (m.Type == MountType.Volume && IsLocal(app, service, source)) result.Add(source);
            }
        }
        return [.. result];
    }

    private static bool IsLocal(Application app, Service service, string source)
    {
        // A claim the application does not declare must exist on the node: its data is there too.
        if (!app.Volumes.TryGetValue(source, out var volume) && !app.Volumes.TryGetValue(Qualified(service, source), out volume)) return true;
        return volume.Claim is not null || volume.Driver is "local" or "";
    }

    /// <summary>A Kubernetes workload's claims are named within its namespace (model names are NAME.NAMESPACE outside "default").</summary>
    private static string Qualified(Service service, string name)
    {
        if (service.Format != SourceFormat.Kubernetes) return name;
        var dot = service.Name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? name : name + service.Name[dot..];
    }
}
