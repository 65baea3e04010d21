using System.Text;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Rendering;

namespace GitOps.Reconciler.Tests.Properties;

/// <summary>
/// Truncated and mutated manifests give diagnostics, never exceptions: no load may end in an "internal"
/// diagnostic (our own code failing), a failed load has no model, and a successful one renders.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Tokens = ["{", "}", "[", "]", ":", "- ", "&a ", "*a", "!!int ", "!reset ", "${", "$", "'", "\"", "\t", "#", "<<: *a\n", "\n  ", "---\n", "~", "0x", "%", "@"];

    public static TheoryData<string, string> Seeds() => new()
    {
        { "compose.yaml", File.ReadAllText(TestPaths.Examples("pets/compose/compose.yaml")) },
        { "docker-stack.yml", File.ReadAllText(TestPaths.Corpus("swarm/example-voting-app/docker-stack.yml")) },
        { "compose.yaml", File.ReadAllText(TestPaths.Corpus("compose/awesome/nginx-golang-mysql/compose.yaml")) },
        { "app.yaml", File.ReadAllText(TestPaths.Examples("pets/k8s/db.yaml")) + "---\n" + File.ReadAllText(TestPaths.Examples("pets/k8s/web.yaml")) },
        { "app.yaml", File.ReadAllText(TestPaths.Corpus("k8s/kubernetes-examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml")) },
        { "compose.yaml", AppGenerator.Compose(7, 6) },
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void TruncatedManifestsNeverThrow(string name, string text)
    {
        var dir = Load.TempDir();
        var rnd = new Random(text.Length);
        for (var i = 0; i < 40; i++)
        {
            var cut = i == 0 ? 0 : rnd.Next(text.Length);
            _ = Check(dir, name, text[..cut]);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MutatedManifestsNeverThrow(string name, string text)
    {
        var dir = Load.TempDir();
        var rnd = new Random(name.Length * 7919 + text.Length);
        var failed = 0;
        for (var i = 0; i < 100; i++) if (!Check(dir, name, Mutate(text, rnd))) failed++;
        // The mutations must reach the error paths, and not only the YAML parser's.
        Assert.InRange(failed, 10, 100);
    }

    private static string Mutate(string text, Random rnd)
    {
        var sb = new StringBuilder(text);
        var edits = rnd.Next(1, 4);
        for (var e = 0; e < edits && sb.Length > 0; e++)
        {
            var at = rnd.Next(sb.Length);
            switch (rnd.Next(6))
            {
                case 0: sb.Insert(at, Tokens[rnd.Next(Tokens.Length)]); break;
                case 1: sb.Remove(at, Math.Min(rnd.Next(1, 12), sb.Length - at)); break;
                case 2: sb[at] = (char)rnd.Next(32, 127); break;
                case 3:
                {
                    // Duplicate a line: duplicate keys, repeated list items.
                    var lines = sb.ToString().Split('\n').ToList();
                    var l = rnd.Next(lines.Count);
                    lines.Insert(l, lines[l]);
                    sb.Clear().Append(string.Join('\n', lines));
                    break;
                }
                case 4:
                {
                    // Shift a line's indentation.
                    var lines = sb.ToString().Split('\n').ToList();
                    var l = rnd.Next(lines.Count);
                    lines[l] = rnd.Next(2) == 0 ? "  " + lines[l] : lines[l].TrimStart();
                    sb.Clear().Append(string.Join('\n', lines));
                    break;
                }
                default: sb.Insert(at, rnd.Next(2) == 0 ? "999999999999999999999" : "-1"); break;
            }
        }
        return sb.ToString();
    }

    private static bool Check(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        LoadResult result;
        try
        {
            result = ManifestLoader.Load([path], new LoadOptions { Environment = Load.Env(("API_KEY", "x")) });
        }
        catch (Exception e)
        {
            Assert.Fail($"load threw {e}\n--- input ---\n{text}");
            return false;
        }
        var internalErrors = result.Diagnostics.Where(d => d.Code == "internal" || d.Code == "schema.internal").ToList();
        Assert.True(internalErrors.Count == 0, $"{string.Join("\n", internalErrors)}\n--- input ---\n{text}");
        Assert.Equal(result.Errors.Any(), result.Application is null);
        Assert.All(result.Diagnostics, d => Assert.True(d.Line >= 0 && d.Column >= 0 && d.Message.Length > 0));
        if (result.Application is { } app) Assert.NotEmpty(YamlOutput.Write(DesiredStateWriter.Write(app)));
        return result.Succeeded;
    }
}
