using System.Text;
using System.Text.RegularExpressions;

namespace GitOps.Runtime.Images.Build;

/// <summary>
/// .dockerignore as Docker reads it (moby's patternmatcher): one Go filepath.Match pattern per line
/// (*, ?, [classes], \ escapes) plus ** for any number of directories; a leading ! makes an
/// exception; the last pattern that matches a path (or one of its parent directories) decides.
/// </summary>
public sealed class DockerIgnore
{
    sealed record Pattern(string Text, Regex Regex, bool Exclusion, string[] Dirs);

    readonly List<Pattern> _patterns = [];

    public DockerIgnore(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var exclusion = line.StartsWith('!');
            if (exclusion) line = line[1..].Trim();
            line = Clean(line);
            if (line.Length == 0) continue;
            _patterns.Add(new Pattern(line, Compile(line), exclusion, line.Split('/')));
        }
    }

    public static DockerIgnore Load(string contextDir)
    {
        var path = Path.Combine(contextDir, ".dockerignore");
        return new DockerIgnore(File.Exists(path) ? File.ReadAllLines(path) : []);
    }

    public bool HasExclusions => _patterns.Any(p => p.Exclusion);

    /// <summary>Whether <paramref name="relativePath"/> (slash-separated, relative to the context) is left out.</summary>
    public bool IsExcluded(string relativePath)
    {
        var path = relativePath.Trim('/');
        var parents = path.Split('/');
        var matched = false;
        foreach (var p in _patterns)
        {
            var match = p.Regex.IsMatch(path);
            if (!match && parents.Length > 1)
            {
                for (var i = 1; i < parents.Length && !match; i++)
                    match = p.Regex.IsMatch(string.Join('/', parents[..i]));
            }
            if (match) matched = !p.Exclusion;
        }
        return matched;
    }

    /// <summary>
    /// Whether a whole excluded directory can be skipped: only when no exception pattern could
    /// bring back something inside it.
    /// </summary>
    public bool CanSkipDirectory(string relativeDir)
    {
        var dir = relativeDir.Trim('/');
        foreach (var p in _patterns.Where(p => p.Exclusion))
        {
            if (p.Text.Contains("**", StringComparison.Ordinal)) return false;
            var depth = dir.Split('/').Length;
            // An exception whose leading components could match this directory may re-include a child.
            if (p.Dirs.Length > depth && Compile(string.Join('/', p.Dirs[..depth])).IsMatch(dir)) return false;
        }
        return true;
    }

    /// <summary>The context's files, directories and links that are not ignored, relative, parents before children.</summary>
    public IEnumerable<string> Walk(string contextDir)
    {
        var stack = new Stack<string>();
        stack.Push("");
        while (stack.Count > 0)
        {
            var rel = stack.Pop();
            var dir = rel.Length == 0 ? contextDir : Path.Combine(contextDir, rel);
            var entries = new DirectoryInfo(dir).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            var subdirs = new List<string>();
            foreach (var e in entries)
            {
                var path = rel.Length == 0 ? e.Name : rel + "/" + e.Name;
                var isDir = e is DirectoryInfo && e.LinkTarget is null;
                if (IsExcluded(path))
                {
                    if (isDir && !CanSkipDirectory(path)) subdirs.Add(path);
                    continue;
                }
                yield return path;
                if (isDir) subdirs.Add(path);
            }
            for (var i = subdirs.Count - 1; i >= 0; i--) stack.Push(subdirs[i]);
        }
    }

    /// <summary>filepath.Clean, and no leading slash (patterns are relative to the context root).</summary>
    static string Clean(string pattern)
    {
        var parts = new List<string>();
        foreach (var part in pattern.Replace('\\', '\u0000').Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == ".." && parts.Count > 0 && parts[^1] != "..") { parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(part);
        }
        return string.Join('/', parts).Replace('\u0000', '\\');
    }

    /// <summary>The pattern as an anchored regex, as patternmatcher compiles it.</summary>
    public static Regex Compile(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        i++;
                        if (i + 1 < pattern.Length && pattern[i + 1] == '/') i++; // "**/" is "**"
                        sb.Append(i + 1 >= pattern.Length ? ".*" : "(.*/)?");
                    }
                    else sb.Append("[^/]*");
                    break;
                case '?': sb.Append("[^/]"); break;
                case '\\':
                    if (i + 1 < pattern.Length) sb.Append(Regex.Escape(pattern[++i].ToString()));
                    else sb.Append(@"\\");
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0) { sb.Append(@"\["); break; }
                    var cls = pattern[(i + 1)..close];
                    if (cls.StartsWith('^') || cls.StartsWith('!')) cls = "^" + cls[1..];
                    sb.Append('[').Append(cls.Replace("\\", "\\\\")).Append(']');
                    i = close;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.CultureInvariant);
    }
}
