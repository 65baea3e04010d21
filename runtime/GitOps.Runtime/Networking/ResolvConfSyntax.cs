using System.Text.RegularExpressions;

namespace GitOps.Runtime.Networking;

/// <summary>What may go into a resolv.conf line: Docker's domain rule for search domains (opts.ValidateDNSSearch), one word for an option.</summary>
public static partial class ResolvConfSyntax
{
    [GeneratedRegex(@"^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))*\.?$")]
    private static partial Regex Domain();

    public static bool IsSearchDomain(string? domain) => domain is "." || domain is { Length: > 0 and <= 255 } && Domain().IsMatch(domain);

    public static bool IsOption(string? option) => option is { Length: > 0 and <= 255 } && !option.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
}
