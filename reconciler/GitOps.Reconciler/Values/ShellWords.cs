using System.Text;

namespace GitOps.Reconciler.Values;

/// <summary>
/// Splits a command written as one string (<c>command: bundle exec thin -p 3000</c>) into words the way
/// compose-go does (POSIX shell quoting: single quotes literal, double quotes with backslash escapes),
/// without running a shell.
/// </summary>
internal static class ShellWords
{
    public static List<string>? Split(string text, out string? error)
    {
        error = null;
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord) { words.Add(current.ToString()); current.Clear(); inWord = false; }
                    break;
                case '\'':
                {
                    var end = text.IndexOf('\'', i + 1);
                    if (end < 0) { error = "unterminated single quote"; return null; }
                    current.Append(text, i + 1, end - i - 1);
                    i = end;
                    inWord = true;
                    break;
                }
                case '"':
                {
                    i++;
                    while (i < text.Length && text[i] != '"')
                    {
                        if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`') i++;
                        current.Append(text[i]);
                        i++;
                    }
                    if (i >= text.Length) { error = "unterminated double quote"; return null; }
                    inWord = true;
                    break;
                }
                case '\\':
                    if (i + 1 < text.Length) current.Append(text[++i]);
                    inWord = true;
                    break;
                default:
                    current.Append(c);
                    inWord = true;
                    break;
            }
        }
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
