using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.Housekeeping;

/// <summary>docker system df's data: what images, containers and volumes take on disk, measured on the files.</summary>
public sealed record DiskUsageReport(
    long LayersSize,
    long ImagesReclaimable,
    IReadOnlyList<ImageUsage> Images,
    IReadOnlyList<ContainerUsage> Containers,
    IReadOnlyList<VolumeUsage> Volumes);

/// <param name="Size">Bytes of the image's unpacked layers and blobs.</param>
/// <param name="SharedSize">Of those, the bytes other images have too.</param>
public sealed record ImageUsage(string Id, IReadOnlyList<string> Tags, DateTimeOffset Created, long Size, long SharedSize, int Containers);

/// <param name="SizeRw">Bytes of the container's writable layer.</param>
public sealed record ContainerUsage(string Id, string Name, string Image, string Command, DateTimeOffset Created, string State,
    bool Running, long SizeRw, int LocalVolumes);

public sealed record VolumeUsage(VolumeRecord Volume, string Mountpoint, long Size, int RefCount);
