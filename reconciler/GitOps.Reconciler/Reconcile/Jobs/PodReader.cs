using System.Globalization;
using GitOps.Reconciler.Ports;

namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>One pod of a Job on the engine: what the controller sees of it, and its containers (main first).</summary>
internal sealed record ObservedPod(JobPod Pod, string Hash, IReadOnlyList<string> Containers, IReadOnlyList<string> Regular, IReadOnlyList<string> Sidecars);

/// <summary>
/// Reads the application's Job pods from the engine, by the job-name label. A pod's phase comes from its regular
/// containers (the template's containers); other parts of it (sidecars) neither complete nor fail it.
/// </summary>
internal static class PodReader
{
    public static Dictionary<string, List<ObservedPod>> Read(IEnginePort engine, string app, Func<string, IReadOnlySet<string>> regularParts)
    {
        var all = engine.Containers().Where(c => c.Labels.GetValueOrDefault(ManagedLabels.App) == app && c.Labels.ContainsKey(JobLabels.JobName)).ToList();
        var parts = all.Where(c => c.Labels.ContainsKey(ManagedLabels.Part)).ToList();
        var result = new Dictionary<string, List<ObservedPod>>(StringComparer.Ordinal);
        foreach (var main in all.Where(c => !c.Labels.ContainsKey(ManagedLabels.Part)))
        {
            var l = main.Labels;
            var job = l[JobLabels.JobName];
            var mine = parts.Where(p => p.Name.StartsWith(main.Name + "-", StringComparison.Ordinal) && p.Labels.GetValueOrDefault(JobLabels.JobName) == job).ToList();
            var regularNames = regularParts(l.GetValueOrDefault(ManagedLabels.Service) ?? "");
            var regular = new List<ContainerView> { main };
            regular.AddRange(mine.Where(p => regularNames.Contains(p.Labels[ManagedLabels.Part])));
            var sidecars = mine.Where(p => !regularNames.Contains(p.Labels[ManagedLabels.Part])).ToList();
            var states = regular;
            PodPhase phase;
            if (states.Any(s => s.Running || s.Restarting || s.Status is "running" or "paused" or "restarting")) phase = PodPhase.Running;
            else if (states.Any(s => s.Status == "created")) phase = PodPhase.Pending;
            else phase = states.All(s => s.ExitCode == 0 && s.Status == "exited") ? PodPhase.Succeeded : PodPhase.Failed;
            var exit = states.Select(s => s.ExitCode).FirstOrDefault(code => code != 0);
            var finished = states.Max(s => s.FinishedAt);
            var pod = new JobPod(main.Name,
                int.TryParse(l.GetValueOrDefault(ManagedLabels.Replica), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0,
                int.TryParse(l.GetValueOrDefault(JobLabels.CompletionIndex), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null,
                phase, finished, exit, sidecars.Any(s => s.Running));
            (result.TryGetValue(job, out var list) ? list : result[job] = []).Add(new ObservedPod(pod, l.GetValueOrDefault(ManagedLabels.SpecHash) ?? "",
                [main.Id, .. mine.Select(p => p.Id)], [.. regular.Select(c => c.Id)], [.. sidecars.Select(c => c.Id)]));
        }
        return result;
    }
}
