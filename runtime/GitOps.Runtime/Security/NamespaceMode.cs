namespace GitOps.Runtime.Security;

public enum NamespaceShare
{
    /// <summary>A namespace of the container's own (PidMode "", IpcMode "private").</summary>
    Private,
    /// <summary>IPC of its own that other containers may join (IpcMode "shareable").</summary>
    Shareable,
    /// <summary>IPC of its own without /dev/shm (IpcMode "none").</summary>
    None,
    /// <summary>The host's namespace: nothing is unshared.</summary>
    Host,
    /// <summary>Another container's namespace, joined with setns.</summary>
    Container,
}

/// <summary>--pid and --ipc, as Docker validates them.</summary>
public sealed record NamespaceMode(NamespaceShare Share, string? Container = null)
{
    /// <summary>"" (private), "host" or "container:NAME|ID".</summary>
    public static NamespaceMode ParsePid(string? mode) => mode switch
    {
        null or "" => new(NamespaceShare.Private),
        "host" => new(NamespaceShare.Host),
        _ when ContainerName(mode) is { } name => new(NamespaceShare.Container, name),
        _ => throw new InvalidArgumentException($"invalid PID mode: \"{mode}\" (expected host or container:NAME, or empty for a PID namespace of its own)"),
    };

    /// <summary>"" or "private", "shareable", "none", "host" or "container:NAME|ID".</summary>
    public static NamespaceMode ParseIpc(string? mode) => mode switch
    {
        null or "" or "private" => new(NamespaceShare.Private),
        "shareable" => new(NamespaceShare.Shareable),
        "none" => new(NamespaceShare.None),
        "host" => new(NamespaceShare.Host),
        _ when ContainerName(mode) is { } name => new(NamespaceShare.Container, name),
        _ => throw new InvalidArgumentException($"invalid IPC mode: \"{mode}\" (expected private, shareable, none, host or container:NAME)"),
    };

    static string? ContainerName(string mode) =>
        mode.StartsWith("container:", StringComparison.Ordinal) && mode.Length > "container:".Length ? mode["container:".Length..] : null;

    /// <summary>Whether the container gets a namespace of its own (so the launcher unshares one).</summary>
    public bool Unshares => Share is NamespaceShare.Private or NamespaceShare.Shareable or NamespaceShare.None;
}
