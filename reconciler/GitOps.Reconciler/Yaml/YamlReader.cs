using System.Text.RegularExpressions;
using GitOps.Reconciler.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GitOps.Reconciler.Yaml;

/// <summary>
/// Builds <see cref="YNode"/> trees from YamlDotNet's event parser. The parser (not the reflection
/// deserializer) runs under NativeAOT and gives a start mark for every node. Besides plain YAML this handles
/// what real manifests rely on: anchors and aliases, merge keys (<c>&lt;&lt;: *defaults</c>, common in Compose
/// files), and it rejects duplicate keys and non-scalar keys with a position instead of silently keeping one.
/// </summary>
internal static partial class YamlReader
{
    /// <summary>Alias expansion beyond this many nodes is refused ("billion laughs").</summary>
    public const long MaxExpandedNodes = 2_000_000;

    /// <summary>Deeper nesting is refused before it can exhaust the stack.</summary>
    public const int MaxDepth = 256;

    public static IReadOnlyList<YamlDocument> Read(string file, string text, DiagnosticBag diagnostics)
    {
        var documents = new List<YamlDocument>();
        var parser = new Parser(new StringReader(text));
        var state = new State(file, diagnostics);
        try
        {
            parser.MoveNext(); // StreamStart
            while (parser.MoveNext())
            {
                if (parser.Current is StreamEnd) break;
                if (parser.Current is not DocumentStart start) throw new InvalidOperationException("unexpected YAML event " + parser.Current);
                var startMark = state.Mark(start.Start);
                parser.MoveNext();
                state.Anchors.Clear();
                state.Expanded = 0;
                YNode? root = null;
                if (parser.Current is not DocumentEnd)
                {
                    root = ReadNode(parser, state, "", 0);
                    parser.MoveNext();
                }
                // An empty document ("---" alone) is a null scalar: treat it as no document content.
                if (root is YScalar { IsNull: true, Tag: null }) root = null;
                documents.Add(new YamlDocument(file, documents.Count, root, startMark));
            }
        }
        catch (YamlException e)
        {
            var (line, column, message) = SyntaxErrorPosition.Of(text, e, CleanMessage(e.Message));
            diagnostics.Error(new SourceMark(file, line, column), "", "invalid YAML: " + message, "yaml.syntax");
        }
        catch (AbortDocument)
        {
            // Already reported; the rest of the stream cannot be trusted.
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            // YamlDotNet's scanner has states in which malformed input makes it throw these instead of a
            // YamlException (an unclosed flow sequence followed by a plain scalar, for one). Still a syntax error.
            var at = parser.Current is { } ev ? state.Mark(ev.End) : new SourceMark(file, 1, 1);
            diagnostics.Error(at, "", "invalid YAML: the parser cannot continue after this point (an unclosed bracket or quote?)", "yaml.syntax");
        }
        return documents;
    }

    private static YNode ReadNode(Parser parser, State state, string path, int depth)
    {
        var ev = parser.Current!;
        if (depth > MaxDepth)
        {
            state.Diagnostics.Error(state.Mark(ev.Start), path, $"nesting deeper than {MaxDepth} levels", "yaml.depth");
            throw new AbortDocument();
        }
        switch (ev)
        {
            case Scalar s:
            {
                var node = new YScalar(s.Value, s.Style == ScalarStyle.Plain, state.Mark(s.Start), path, TagOf(s));
                Remember(state, s, node);
                return node;
            }
            case SequenceStart ss:
            {
                var items = new List<YNode>();
                parser.MoveNext();
                while (parser.Current is not SequenceEnd)
                {
                    items.Add(ReadNode(parser, state, NodePath.Index(path, items.Count), depth + 1));
                    parser.MoveNext();
                }
                var node = new YSequence(items, state.Mark(ss.Start), path, TagOf(ss));
                Remember(state, ss, node);
                return node;
            }
            case MappingStart ms:
                return ReadMapping(parser, state, ms, path, depth);
            case AnchorAlias alias:
            {
                if (!state.Anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    state.Diagnostics.Error(state.Mark(alias.Start), path, $"unknown anchor '{alias.Value.Value}' referenced", "yaml.anchor");
                    throw new AbortDocument();
                }
                state.Expanded += target.Size;
                if (state.Expanded > MaxExpandedNodes)
                {
                    state.Diagnostics.Error(state.Mark(alias.Start), path, $"aliases expand to more than {MaxExpandedNodes} nodes", "yaml.aliases");
                    throw new AbortDocument();
                }
                return target;
            }
            default:
                throw new InvalidOperationException("unexpected YAML event " + ev);
        }
    }

    private static YMapping ReadMapping(Parser parser, State state, MappingStart ms, string path, int depth)
    {
        var entries = new List<YEntry>();
        var seen = new Dictionary<string, YScalar>(StringComparer.Ordinal);
        var merges = new List<(int Position, YNode Source)>();
        parser.MoveNext();
        while (parser.Current is not MappingEnd)
        {
            var keyEvent = parser.Current!;
            if (keyEvent is not Scalar keyScalar)
            {
                // {{cell}} templates and complex keys: not something any manifest format accepts.
                state.Diagnostics.Error(state.Mark(keyEvent.Start), path, "mapping keys must be strings (is this an unrendered template?)", "yaml.key");
                throw new AbortDocument();
            }
            var key = new YScalar(keyScalar.Value, keyScalar.Style == ScalarStyle.Plain, state.Mark(keyScalar.Start), NodePath.Key(path, keyScalar.Value), TagOf(keyScalar));
            Remember(state, keyScalar, key);
            parser.MoveNext();
            var isMerge = key.Plain && key.Value == "<<" && (key.Tag is null || key.Tag == "tag:yaml.org,2002:merge");
            var value = ReadNode(parser, state, isMerge ? path : NodePath.Key(path, key.Value), depth + 1);
            parser.MoveNext();
            if (isMerge)
            {
                merges.Add((entries.Count, value));
                continue;
            }
            if (seen.TryGetValue(key.Value, out var first))
            {
                state.Diagnostics.Error(key.Mark, key.Path, $"mapping key \"{key.Value}\" already defined at line {first.Mark.Line}", "yaml.duplicate-key");
                continue;
            }
            seen[key.Value] = key;
            entries.Add(new YEntry(key, value));
        }
        if (merges.Count > 0) entries = ApplyMerges(entries, merges, seen, state, path);
        var node = new YMapping(entries, state.Mark(ms.Start), path, TagOf(ms));
        Remember(state, ms, node);
        return node;
    }

    /// <summary>YAML merge keys: explicit keys win, and among merged mappings the earlier one wins.</summary>
    private static List<YEntry> ApplyMerges(List<YEntry> entries, List<(int Position, YNode Source)> merges, Dictionary<string, YScalar> seen, State state, string path)
    {
        var result = new List<YEntry>(entries.Count + 8);
        var next = 0;
        foreach (var (position, source) in merges)
        {
            while (next < position) result.Add(entries[next++]);
            IEnumerable<YNode> sources = source is YSequence seq ? seq.Items : [source];
            foreach (var s in sources)
            {
                if (s is not YMapping map)
                {
                    state.Diagnostics.Error(s.Mark, NodePath.Key(path, "<<"), $"a merge key needs a mapping or a sequence of mappings, got {s.TypeName}", "yaml.merge");
                    continue;
                }
                foreach (var e in map.Entries)
                {
                    if (seen.ContainsKey(e.Key.Value)) continue;
                    seen[e.Key.Value] = e.Key;
                    result.Add(e);
                }
            }
        }
        while (next < entries.Count) result.Add(entries[next++]);
        return result;
    }

    private static void Remember(State state, NodeEvent ev, YNode node)
    {
        if (!ev.Anchor.IsEmpty) state.Anchors[ev.Anchor.Value] = node;
    }

    private static string? TagOf(NodeEvent ev) => ev.Tag.IsEmpty ? null : ev.Tag.Value;

    private static string CleanMessage(string message) => LocationPrefix().Replace(message, "").Trim();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*", RegexOptions.CultureInvariant)]
    private static partial Regex LocationPrefix();

    private sealed class State(string file, DiagnosticBag diagnostics)
    {
        public string File { get; } = file;

        public DiagnosticBag Diagnostics { get; } = diagnostics;

        public Dictionary<string, YNode> Anchors { get; } = new(StringComparer.Ordinal);

        public long Expanded { get; set; }

        public SourceMark Mark(Mark m) => new(File, (int)m.Line, (int)m.Column);
    }

    private sealed class AbortDocument : Exception;
}
