using YamlDotNet.Core;

namespace GitOps.Reconciler.Yaml;

/// <summary>
/// Where a YAML syntax error really is. YamlDotNet reports a tab in indentation at the start of the token it
/// was scanning (the mapping, often 1:1, or the scalar on the line before), not at the tab; YAML forbids tabs
/// in indentation, so the offending character is the first tab in the leading whitespace of a line from the
/// reported one on. Other errors keep the parser's position.
/// </summary>
internal static class SyntaxErrorPosition
{
    public static (int Line, int Column, string Message) Of(string text, YamlException e, string message)
    {
        var line = (int)Math.Max(1, e.Start.Line);
        var column = (int)Math.Max(1, e.Start.Column);
        if (!message.Contains("tab", StringComparison.OrdinalIgnoreCase)) return (line, column, message);
        if (FirstIndentationTab(text, line) is not { } tab) return (line, column, message);
        return (tab.Line, tab.Column, "a tab character in indentation (YAML indents with spaces only)");
    }

    private static (int Line, int Column)? FirstIndentationTab(string text, int fromLine)
    {
        var lineNo = 1;
        var start = 0;
        while (start <= text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            if (lineNo >= fromLine)
            {
                for (var i = start; i < end; i++)
                {
                    var ch = text[i];
                    if (ch == '\t') return (lineNo, i - start + 1);
                    if (ch != ' ') break;
                }
            }
            start = end + 1;
            lineNo++;
        }
        return null;
    }
}
