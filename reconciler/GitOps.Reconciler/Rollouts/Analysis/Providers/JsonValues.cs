using System.Text.Json;

namespace GitOps.Reconciler.Rollouts.Analysis.Providers;

/// <summary>JSON text as condition values (numbers as double, objects as maps, arrays as lists), without reflection.</summary>
internal static class JsonValues
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static bool TryParse(string text, out object? value)
    {
        value = null;
        try
        {
            using var doc = JsonDocument.Parse(text, Options);
            value = Convert(doc.RootElement);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static object? Convert(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Convert(g.Last().Value), StringComparer.Ordinal) as IReadOnlyDictionary<string, object?>,
        JsonValueKind.Array => e.EnumerateArray().Select(Convert).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
