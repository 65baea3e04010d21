namespace GitOps.Reconciler.Model;

/// <summary>
/// Limits and reservations: CPU in nano-CPUs (1 CPU = 10^9, Kubernetes "100m" = 10^8), memory in bytes.
/// Kubernetes' ephemeral-storage limit and request are recorded (resourceFieldRef reads them), not enforced.
/// </summary>
internal sealed record Resources(long? CpuLimit, long? MemoryLimit, long? CpuReservation, long? MemoryReservation, long? PidsLimit, long? ShmSize,
    long? StorageLimit = null, long? StorageReservation = null)
{
    public static readonly Resources None = new(null, null, null, null, null, null);
}
