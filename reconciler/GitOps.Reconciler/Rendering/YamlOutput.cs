using GitOps.Reconciler.Yaml;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GitOps.Reconciler.Rendering;

/// <summary>
/// Writes a node tree as YAML through YamlDotNet's emitter (no serializer, so NativeAOT-safe). Strings that
/// would read back as something else (<c>"true"</c>, <c>"3000"</c>, <c>"null"</c>) are quoted; multi-line strings
/// are literal blocks.
/// </summary>
internal static class YamlOutput
{
    private static readonly HashSet<string> Yaml11Booleans = new(StringComparer.OrdinalIgnoreCase) { "y", "n", "yes", "no", "on", "off" };

    public static string Write(YNode node)
    {
        var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, YNode node)
    {
        switch (node)
        {
            case YMapping map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, map.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var e in map.Entries)
                {
                    Scalar(emitter, e.Key);
                    Emit(emitter, e.Value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case YSequence seq:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, seq.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in seq.Items) Emit(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            case YScalar s:
                Scalar(emitter, s);
                break;
        }
    }

    private static void Scalar(IEmitter emitter, YScalar s)
    {
        ScalarStyle style;
        if (s.Plain) style = ScalarStyle.Plain;
        else if (s.Value.Contains('\n', StringComparison.Ordinal)) style = ScalarStyle.Literal;
        // YAML 1.1 readers (still common) take yes/no/on/off for booleans: quote those too.
        else if (s.Value.Length == 0 || ScalarResolver.ResolvePlain(s.Value) != ScalarKind.String || Yaml11Booleans.Contains(s.Value)) style = ScalarStyle.DoubleQuoted;
        else style = ScalarStyle.Any;
        emitter.Emit(new YamlDotNet.Core.Events.Scalar(AnchorName.Empty, TagName.Empty, s.Value, style, isPlainImplicit: true, isQuotedImplicit: true));
    }
}
