namespace GitOps.Reconciler.Compose;

/// <summary>Compose's short volume syntax <c>[SOURCE:]TARGET[:MODE]</c>, MODE a comma list (ro, rw, z, nocopy, rshared...).</summary>
internal static class VolumeSyntax
{
    public static VolumeSpec? Parse(string text, out string? error)
    {
        error = null;
        var parts = text.Split(':');
        string? source = null;
        string target;
        string? mode = null;
        switch (parts.Length)
        {
            case 1: target = parts[0]; break;
            case 2 when IsMode(parts[1]) && parts[0].StartsWith('/'): target = parts[0]; mode = parts[1]; break;
            case 2: source = parts[0]; target = parts[1]; break;
            case 3: source = parts[0]; target = parts[1]; mode = parts[2]; break;
            default: error = "expected [SOURCE:]TARGET[:MODE]"; return null;
        }
        if (target.Length == 0 || !target.StartsWith('/')) { error = $"the target '{target}' must be an absolute path in the container"; return null; }
        if (source is { Length: 0 }) { error = "empty source"; return null; }
        bool readOnly = false, noCopy = false;
        string? propagation = null;
        foreach (var m in (mode ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (m)
            {
                case "ro": readOnly = true; break;
                case "rw": readOnly = false; break;
                case "nocopy": noCopy = true; break;
                case "shared" or "rshared" or "slave" or "rslave" or "private" or "rprivate": propagation = m; break;
                case "z" or "Z" or "consistent" or "cached" or "delegated": break; // SELinux relabel and macOS hints: no effect here
                default: error = $"unknown volume mode '{m}'"; return null;
            }
        }
        var bind = source is not null && (source.StartsWith('/') || source.StartsWith('.') || source.StartsWith('~'));
        return new VolumeSpec(source, target, bind, readOnly, noCopy, propagation);
    }

    /// <summary>The source part of a short entry (for path rewriting), or null for an anonymous volume.</summary>
    public static string? SourceOf(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? null : text[..colon];
    }

    /// <summary>The target of a short entry, the unique key when files are merged.</summary>
    public static string TargetOf(string text)
    {
        var parts = text.Split(':');
        return parts.Length == 1 || (parts.Length == 2 && IsMode(parts[1]) && parts[0].StartsWith('/')) ? parts[0] : parts[1];
    }

    private static bool IsMode(string s) => s.Split(',').All(m => m is "ro" or "rw" or "z" or "Z" or "nocopy" or "consistent" or "cached" or "delegated" or "shared" or "rshared" or "slave" or "rslave" or "private" or "rprivate");
}
