using GitOps.Reconciler.Ports;

namespace GitOps.Reconciler.Reconcile;

/// <summary>compose down / stack rm: everything labelled with the application, networks last.</summary>
internal static class Teardown
{
    public static async Task RunAsync(IEnginePort engine, string app, bool volumes, CancellationToken ct)
    {
        foreach (var r in engine.Routers().Where(r => r.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList())
            engine.RemoveRouter(r.Name);
        // In parallel, as compose down does: each container may take its stop grace period.
        await Task.WhenAll(engine.Containers().Where(c => c.Labels.GetValueOrDefault(ManagedLabels.App) == app)
            .Select(c => Executor.StopAndRemoveAsync(engine, c.Id, null, ct)));
        foreach (var n in engine.Networks().Where(n => n.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList())
            engine.RemoveNetwork(n.Id);
        // Secrets and configs are the application's own copies of what Git holds: nothing is lost with them.
        foreach (var config in new[] { false, true })
            foreach (var o in engine.Objects(config).Where(o => o.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList())
                engine.RemoveObject(config, o.Id);
        // Volumes hold data: as compose down, only scratch space goes unless -v (--remove-volumes) asks for all.
        foreach (var v in engine.Volumes().Where(v => v.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList())
            if (volumes || v.Labels.ContainsKey(ManagedLabels.Ephemeral))
                engine.RemoveVolume(v.Name);
    }
}
