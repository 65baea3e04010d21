using GitOps.Reconciler.Ports;

namespace GitOps.Reconciler.Reconcile;

/// <summary>
/// A replica with Kubernetes init containers starts in the pod's order (docs: "Init Containers", "Sidecar
/// Containers", Kubernetes 1.29+): its first container is started held — namespaces and network exist,
/// its command does not run — so every other container can join its network; then each init container in
/// order: a plain one must run to completion with exit code 0 before the next step, a native sidecar
/// (restartPolicy Always) must be running — and ready, when it has a readiness or startup probe — and keeps
/// running, restarted whenever it exits; then the app containers start and the first one is released. On
/// removal the app containers stop first, then the sidecars in reverse order, as the kubelet stops a pod.
/// </summary>
internal sealed partial class Executor
{
    async Task StartPodAsync(DesiredApp app, DesiredService svc, int ordinal, CancellationToken ct)
    {
        var main = svc.ReplicaName(app.Project, ordinal);
        // What an interrupted start left is a pod that never finished starting: it goes, a new one starts.
        foreach (var id in StopOrder(main, app.App)) await RemoveContainerAsync(id, svc.StopGrace, ct);
        var apps = Compiler.Replica(app, svc, ordinal);
        var inits = Compiler.InitContainers(app, svc, ordinal);
        var created = new List<string>();
        try
        {
            foreach (var spec in apps.Concat(inits)) created.Add(engine.CreateContainer(spec));
            await engine.StartHeldAsync(created[0], ct);
            for (var i = 0; i < inits.Count; i++)
            {
                var name = inits[i].Name;
                var spec = svc.Spec.Template.InitContainers[i];
                await engine.StartContainerAsync(name, ct);
                if (spec.Sidecar) await WaitSidecarAsync(svc, name, ct);
                else await WaitCompletedAsync(svc, name, ct);
            }
            foreach (var spec in apps.Skip(1)) await engine.StartContainerAsync(spec.Name, ct);
            await engine.ReleaseAsync(created[0], ct);
        }
        catch (Exception e) when (e is EngineFailure or ApplyException or TimeoutException)
        {
            // Nothing half-started keeps running; exited init containers stay, so `gitops logs` can say why one
            // failed (their output is not copied into the status: it may hold anything). The next start clears them.
            foreach (var id in StopOrder(main, app.App).Where(id => engine.FindContainer(id)?.Labels.GetValueOrDefault(ManagedLabels.Role) != ManagedLabels.InitContainer))
                await RemoveContainerAsync(id, TimeSpan.Zero, CancellationToken.None);
            throw e as ApplyException ?? new ApplyException($"service {svc.Name}", $"replica {main}: {e.Message}", e);
        }
    }

    /// <summary>A plain init container: it must exit 0 (within the start timeout) before the pod goes on.</summary>
    async Task WaitCompletedAsync(DesiredService svc, string name, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StartTimeout);
        int code;
        try { code = await engine.WaitExitAsync(name, timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ApplyException($"service {svc.Name}", $"init container {name} did not complete within {StartTimeout.TotalSeconds:0} s");
        }
        if (code != 0) throw new ApplyException($"service {svc.Name}", $"init container {name} exited with code {code} (see gitops logs {name})");
    }

    /// <summary>A sidecar: running, and healthy when it has a check (its readiness or else its startup probe).</summary>
    async Task WaitSidecarAsync(DesiredService svc, string name, CancellationToken ct)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var s = engine.FindContainer(name) ?? throw new ApplyException($"service {svc.Name}", $"sidecar {name} disappeared while starting");
            if (s.Running && s.Health is null or "healthy") return;
            if (s.Health == "unhealthy")
                throw new ApplyException($"service {svc.Name}", $"sidecar {name} is unhealthy: {s.HealthOutput}");
            if (deadline.Elapsed > StartTimeout)
                throw new ApplyException($"service {svc.Name}", $"sidecar {name} was not ready within {StartTimeout.TotalSeconds:0} s ({s.Status}, exit code {s.ExitCode})");
            await Task.Delay(50, ct);
        }
    }

    /// <summary>
    /// A replica's containers in the order they stop: app containers (besides the first), the first, then native
    /// sidecars newest first (they were created in init order), then completed init containers.
    /// </summary>
    List<string> StopOrder(string main, string app)
    {
        var parts = engine.Containers().Where(c => c.Name.StartsWith(main + "-", StringComparison.Ordinal) &&
                c.Labels.ContainsKey(ManagedLabels.Part) && c.Labels.GetValueOrDefault(ManagedLabels.App) == app).ToList();
        string? Role(ContainerView c) => c.Labels.GetValueOrDefault(ManagedLabels.Role);
        var order = parts.Where(c => Role(c) is null).Select(c => c.Id).ToList();
        if (engine.FindContainer(main) is { } first) order.Add(first.Id);
        order.AddRange(parts.Where(c => Role(c) == ManagedLabels.SidecarContainer).OrderByDescending(c => c.Created).Select(c => c.Id));
        order.AddRange(parts.Where(c => Role(c) == ManagedLabels.InitContainer).Select(c => c.Id));
        return order;
    }
}
