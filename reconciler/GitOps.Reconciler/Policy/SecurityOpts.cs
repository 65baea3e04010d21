using System.Text.Json;

namespace GitOps.Reconciler.Policy;

/// <summary>Docker's --security-opt values, read the way the policy needs them: which ones lift a confinement.</summary>
internal static class SecurityOpts
{
    /// <summary>Splits "seccomp=x" (or Docker's older "seccomp:x") into key and value; "no-new-privileges" has no value.</summary>
    public static (string Key, string? Value) Split(string opt)
    {
        var eq = opt.IndexOf('=', StringComparison.Ordinal);
        var colon = opt.IndexOf(':', StringComparison.Ordinal);
        var at = eq < 0 ? colon : colon < 0 ? eq : Math.Min(eq, colon);
        return at < 0 ? (opt.Trim(), null) : (opt[..at].Trim(), opt[(at + 1)..]);
    }

    /// <summary>
    /// Why <paramref name="opt"/> lifts a confinement, or null when it does not: an unconfined seccomp, AppArmor
    /// or SELinux setting, unmasked /proc and /sys paths, or a seccomp profile whose default action lets every
    /// system call through (which is unconfined under another name).
    /// </summary>
    public static string? Unconfines(string opt)
    {
        var (key, value) = Split(opt);
        switch (key)
        {
            case "seccomp" when value is "unconfined":
                return "seccomp unconfined";
            case "seccomp" when value is { } profile && profile.TrimStart().StartsWith('{'):
                return DefaultAllows(profile) is { } action ? $"seccomp profile with default action {action}" : null;
            case "apparmor" when value is "unconfined":
                return "AppArmor unconfined";
            case "label" when value is "disable":
                return "SELinux labelling disabled";
            case "systempaths" when value is "unconfined":
                return "/proc and /sys unmasked";
            default:
                return null;
        }
    }

    static string? DefaultAllows(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("defaultAction", out var a) && a.ValueKind == JsonValueKind.String)
                return a.GetString() is "SCMP_ACT_ALLOW" or "SCMP_ACT_LOG" or "SCMP_ACT_TRACE" ? a.GetString() : null;
            return null;
        }
        catch (JsonException)
        {
            return null; // a broken profile is the loader's finding, not a policy one
        }
    }
}
