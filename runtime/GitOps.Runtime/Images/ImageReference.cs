using System.Text.RegularExpressions;

namespace GitOps.Runtime.Images;

/// <summary>
/// An image name as Docker parses it: [domain/]path[:tag][@digest], normalised so that "busybox",
/// "library/busybox" and "docker.io/library/busybox:latest" are the same image.
/// </summary>
public sealed partial record ImageReference(string Domain, string Path, string? Tag, string? Digest)
{
    public const string DefaultDomain = "docker.io";
    public const string DefaultTag = "latest";

    /// <summary>domain/path, e.g. docker.io/library/busybox.</summary>
    public string Repository => $"{Domain}/{Path}";

    /// <summary>The short form users type and Docker prints: busybox, myregistry:5000/app.</summary>
    public string FamiliarRepository =>
        Domain != DefaultDomain ? Repository :
        Path.StartsWith("library/", StringComparison.Ordinal) && Path.IndexOf('/', 8) < 0 ? Path[8..] : Path;

    /// <summary>Canonical string: docker.io/library/busybox:latest or ...@sha256:...</summary>
    public override string ToString() =>
        Repository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    public string Familiar =>
        FamiliarRepository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    public ImageReference WithTag(string tag) => this with { Tag = tag, Digest = null };

    // Grammar from distribution/reference: path components are lowercase alphanumerics separated by
    // '.', '_', '__' or '-'s; tags are [\w][\w.-]{0,127}.
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex PathPattern();
    [GeneratedRegex(@"^[\w][\w.-]{0,127}$")]
    private static partial Regex TagPattern();
    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();

    public static bool TryParse(string input, out ImageReference? reference, out string? error)
    {
        reference = null;
        error = null;
        var s = input.Trim();
        if (s.Length == 0) { error = "invalid reference format: empty image name"; return false; }

        string? digest = null;
        var at = s.IndexOf('@');
        if (at >= 0)
        {
            digest = s[(at + 1)..];
            s = s[..at];
            if (!Images.Digest.TryParse(digest, out _)) { error = $"invalid reference format: bad digest \"{digest}\""; return false; }
        }

        string? tag = null;
        var lastSlash = s.LastIndexOf('/');
        var colon = s.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = s[(colon + 1)..];
            s = s[..colon];
            if (!TagPattern().IsMatch(tag)) { error = $"invalid reference format: bad tag \"{tag}\" in \"{input}\""; return false; }
        }

        string domain = DefaultDomain, path = s;
        var slash = s.IndexOf('/');
        if (slash > 0)
        {
            var first = s[..slash];
            if (first.Contains('.') || first.Contains(':') || first == "localhost" || first.Any(char.IsAsciiLetterUpper))
            {
                if (!DomainPattern().IsMatch(first)) { error = $"invalid reference format: bad registry \"{first}\""; return false; }
                domain = first;
                path = s[(slash + 1)..];
            }
        }
        if (domain == "index.docker.io") domain = DefaultDomain;
        if (path.Any(char.IsAsciiLetterUpper))
        {
            error = $"invalid reference format: repository name (\"{path}\") must be lowercase";
            return false;
        }
        if (!PathPattern().IsMatch(path)) { error = $"invalid reference format: \"{input}\""; return false; }
        if (domain == DefaultDomain && !path.Contains('/')) path = "library/" + path;
        if (tag is null && digest is null) tag = DefaultTag;
        reference = new ImageReference(domain, path, tag, digest);
        return true;
    }

    /// <summary>The familiar form of a name for messages (bb → bb:latest), or the input when it does not parse.</summary>
    public static string Display(string input) => TryParse(input, out var r, out _) ? r!.Familiar : input;

    public static ImageReference Parse(string input) =>
        TryParse(input, out var r, out var error) ? r! : throw new InvalidArgumentException(error!);
}
