using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Rendering;

/// <summary>Writes a node tree as JSON with <see cref="Utf8JsonWriter"/> (no reflection): plain scalars keep their type.</summary>
internal static class JsonOutput
{
    public static string Write(YNode node, bool indented = true)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, node);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static byte[] Canonical(YNode node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, node);
        return stream.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, YNode node)
    {
        switch (node)
        {
            case YMapping map:
                writer.WriteStartObject();
                foreach (var e in map.Entries)
                {
                    writer.WritePropertyName(e.Key.Value);
                    Write(writer, e.Value);
                }
                writer.WriteEndObject();
                break;
            case YSequence seq:
                writer.WriteStartArray();
                foreach (var item in seq.Items) Write(writer, item);
                writer.WriteEndArray();
                break;
            case YScalar s:
                switch (s.Kind)
                {
                    case ScalarKind.Null: writer.WriteNullValue(); break;
                    case ScalarKind.Bool: s.TryGetBool(out var b); writer.WriteBooleanValue(b); break;
                    case ScalarKind.Int when s.TryGetInt64(out var l): writer.WriteNumberValue(l); break;
                    case ScalarKind.Float when s.TryGetDouble(out var d) && double.IsFinite(d): writer.WriteNumberValue(d); break;
                    default: writer.WriteStringValue(s.Value); break;
                }
                break;
        }
    }
}
