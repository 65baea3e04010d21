using System.Security.Cryptography;

namespace GitOps.Runtime;

public static class Ids
{
    /// <summary>A new 64-hex identifier, as Docker's container and exec IDs.</summary>
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Short(string id) => id.Length > 12 ? id[..12] : id;

    public static bool IsHex(string s) => s.Length > 0 && s.All(char.IsAsciiHexDigitLower);

    /// <summary>Docker's rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]+.</summary>
    public static bool IsValidName(string name) =>
        name.Length >= 2 && char.IsAsciiLetterOrDigit(name[0]) &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
