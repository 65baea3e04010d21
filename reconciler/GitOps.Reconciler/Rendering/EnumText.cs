using System.Text;

namespace GitOps.Reconciler.Rendering;

/// <summary>Enum values as rendered: camelCase ("onFailure", "clusterIp"), parsed back case-insensitively.</summary>
internal static class EnumText
{
    public static string Of<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    public static bool TryParse<T>(string text, out T value) where T : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value) && !int.TryParse(text, out _) && Enum.IsDefined(value);

    public static string Names<T>() where T : struct, Enum
    {
        var sb = new StringBuilder();
        foreach (var v in Enum.GetValues<T>())
        {
            if (sb.Length > 0) sb.Append(", ");
            sb.Append('\'').Append(Of(v)).Append('\'');
        }
        return sb.ToString();
    }
}
