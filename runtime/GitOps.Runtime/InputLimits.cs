namespace GitOps.Runtime;

/// <summary>
/// Bounds on what a request may carry, each taken from the limit that would refuse it later anyway (the kernel's,
/// the filesystem's, Docker's or the registry protocol's), so the engine refuses it at once, with a message that names
/// the bound, instead of storing it or failing at start.
/// </summary>
public static class InputLimits
{
    /// <summary>NAME_MAX: volume and network names become directory and file names; a container's name is held to the same.</summary>
    public const int MaxName = 255;

    /// <summary>HOST_NAME_MAX: sethostname(2) and setdomainname(2) refuse longer names with EINVAL.</summary>
    public const int MaxHostname = 64;

    /// <summary>MAX_ARG_STRLEN (32 pages): execve(2) refuses any one argument or environment string longer than this.</summary>
    public const int MaxArgString = 128 * 1024;

    /// <summary>
    /// ARG_MAX as Linux computes it for the default 8 MiB stack (a quarter of it): execve(2) refuses arguments plus
    /// environment (strings and their pointers) past this with E2BIG, which is where Docker's start fails.
    /// </summary>
    public const int MaxArgsAndEnv = 2 * 1024 * 1024;

    /// <summary>
    /// Labels of one object, keys and values together: Kubernetes' bound on an object's annotations (256 KiB). Docker
    /// sets none; this one keeps every label in a container's inspect, events and state file small.
    /// </summary>
    public const int MaxLabelsBytes = 256 * 1024;

    /// <summary>PATH_MAX: no path (working directory, mount target, bind source) is longer on Linux.</summary>
    public const int MaxPath = 4096;

    /// <summary>Echoes of user text in errors stay short: a 1 MB name is quoted by its first 64 characters and its length.</summary>
    public static string Clip(string? s) => s is null ? "(null)" : s.Length <= 64 ? s : s[..64] + $"… ({s.Length} characters)";

    /// <summary>Every problem of a label map: empty or null keys and values, and the total size.</summary>
    public static void CheckLabels(IReadOnlyDictionary<string, string>? labels, string what, List<string> errors)
    {
        if (labels is null) return;
        long total = 0;
        foreach (var (k, v) in labels)
        {
            if (string.IsNullOrEmpty(k)) errors.Add($"{what}: label keys must not be empty");
            if (v is null) errors.Add($"{what}: label \"{Clip(k)}\" has a null value (use \"\" for an empty one)");
            total += (k?.Length ?? 0) + (v?.Length ?? 0);
        }
        if (total > MaxLabelsBytes) errors.Add($"{what}: labels take {total} bytes; at most {MaxLabelsBytes} bytes (256 KiB) of keys and values are allowed");
    }
}
