namespace GitOps.Reconciler.Reconcile.Jobs;

/// <summary>A pod's phase as Kubernetes reports it, from its regular containers (sidecars do not count).</summary>
internal enum PodPhase
{
    /// <summary>Created, not started yet.</summary>
    Pending,
    Running,
    /// <summary>Every regular container exited with 0.</summary>
    Succeeded,
    /// <summary>Every regular container ended, at least one with another code (or could not start).</summary>
    Failed,
}

/// <summary>One pod of a Job run as the job controller sees it: its number, its index (Indexed Jobs), its phase.</summary>
internal sealed record JobPod(string Name, int Ordinal, int? Index, PodPhase Phase, DateTimeOffset FinishedAt, int ExitCode, bool SidecarsRunning = false)
{
    public bool Ended => Phase is PodPhase.Succeeded or PodPhase.Failed;
}

/// <summary>A pod the controller asks for: its number and, for an Indexed Job, its completion index.</summary>
internal sealed record PodToCreate(int Ordinal, int? Index);

/// <summary>A line for the application's log.</summary>
internal sealed record JobNote(LogEvent Event, string Message);
