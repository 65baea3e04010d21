namespace GitOps.Runtime.Images.Registry;

/// <summary>--platform os/arch[/variant]; the default is this host's (linux/amd64 here).</summary>
public sealed record PlatformSpec(string Os, string Architecture, string? Variant)
{
    public static PlatformSpec Host => new("linux", ConfigChanges.HostArchitecture, ConfigChanges.HostArchitecture == "arm64" ? "v8" : null);

    public static PlatformSpec Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Host;
        var parts = text.Trim().ToLowerInvariant().Split('/');
        return parts.Length switch
        {
            1 => new PlatformSpec("linux", Normalize(parts[0]), null),
            2 => new PlatformSpec(parts[0], Normalize(parts[1]), null),
            3 => new PlatformSpec(parts[0], Normalize(parts[1]), parts[2]),
            _ => throw new InvalidArgumentException($"invalid platform \"{text}\": expected os/arch[/variant], e.g. linux/amd64"),
        };
    }

    static string Normalize(string arch) => arch switch
    {
        "x86_64" or "x86-64" => "amd64",
        "aarch64" => "arm64",
        _ => arch,
    };

    public bool Matches(Platform? p)
    {
        if (p is null) return false;
        if (!string.Equals(p.Os, Os, StringComparison.OrdinalIgnoreCase) || !string.Equals(Normalize(p.Architecture.ToLowerInvariant()), Architecture, StringComparison.Ordinal))
            return false;
        // arm64 images usually carry variant v8 or none; a variant asked for must match when the entry names one.
        return Variant is null || p.Variant is null || string.Equals(p.Variant, Variant, StringComparison.OrdinalIgnoreCase);
    }

    public override string ToString() => $"{Os}/{Architecture}" + (Variant is null ? "" : "/" + Variant);
}
