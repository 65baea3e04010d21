namespace GitOps.Reconciler.Model;

/// <summary>Limits and reservations: CPU in nano-CPUs (1 CPU = 10^9, Kubernetes "100m" = 10^8), memory in bytes.</summary>
internal sealed record Resources(long? CpuLimit, long? MemoryLimit, long? CpuReservation, long? MemoryReservation, long? PidsLimit, long? ShmSize)
{
    public static readonly Resources None = new(null, null, null, null, null, null);
}
