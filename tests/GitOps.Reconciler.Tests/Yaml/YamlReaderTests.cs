using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Yaml;

namespace GitOps.Reconciler.Tests.Yaml;

public sealed class YamlReaderTests
{
    private static (IReadOnlyList<YamlDocument> Docs, DiagnosticBag Bag) Read(string text)
    {
        var bag = new DiagnosticBag();
        return (YamlReader.Read("t.yaml", text, bag), bag);
    }

    [Fact]
    public void MarksAreOneBasedLinesAndColumns()
    {
        var (docs, _) = Read("a:\n  b: [1, two]\n");
        var seq = (YSequence)((YMapping)((YMapping)docs[0].Root!)["a"]!)["b"]!;
        Assert.Equal((2, 10, "a.b[1]"), (seq.Items[1].Mark.Line, seq.Items[1].Mark.Column, seq.Items[1].Path));
    }

    [Theory]
    [InlineData("1", "Int")]
    [InlineData("0440", "Int")]
    [InlineData("0x1F", "Int")]
    [InlineData("1.5", "Float")]
    [InlineData("true", "Bool")]
    [InlineData("yes", "String")]
    [InlineData("~", "Null")]
    [InlineData("'1'", "String")]
    [InlineData("!!str 1", "String")]
    [InlineData("09", "Float")]
    public void CoreSchemaTypes(string value, string kind)
    {
        var (docs, _) = Read("v: " + value + "\n");
        Assert.Equal(kind, ((YScalar)((YMapping)docs[0].Root!)["v"]!).Kind.ToString());
    }

    [Fact]
    public void LeadingZeroIsOctalAsInGo()
    {
        var (docs, _) = Read("mode: 0440\n");
        Assert.True(((YScalar)((YMapping)docs[0].Root!)["mode"]!).TryGetInt64(out var v));
        Assert.Equal(288, v);
    }

    [Fact]
    public void MergeKeysAndAliases()
    {
        var (docs, bag) = Read("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n");
        Assert.Empty(bag.Items);
        var use = (YMapping)((YMapping)docs[0].Root!)["use"]!;
        Assert.Equal(["x", "y"], use.Keys.Order());
        Assert.Equal("3", ((YScalar)use["y"]!).Value);
    }

    [Fact]
    public void DuplicateKeyIsAnError()
    {
        var (_, bag) = Read("a: 1\nb: 2\na: 3\n");
        var d = bag.Items.Single();
        Assert.Equal((3, 1, "mapping key \"a\" already defined at line 1"), (d.Line, d.Column, d.Message));
    }

    [Fact]
    public void AliasBombIsRefused()
    {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (var i = 0; i < 8; i++) text += $"{(char)('b' + i)}: &{(char)('b' + i)} [*{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}]\n";
        var (_, bag) = Read(text);
        Assert.Contains(bag.Items, d => d.Code == "yaml.aliases");
    }

    [Fact]
    public void DeepNestingIsRefused()
    {
        var (_, bag) = Read(new string('[', 1000) + new string(']', 1000));
        Assert.Contains(bag.Items, d => d.Code is "yaml.depth" or "yaml.syntax");
    }

    [Fact]
    public void UnknownAnchor()
    {
        var (_, bag) = Read("a: *nope\n");
        Assert.Contains(bag.Items, d => d.Line == 1);
    }

    [Fact]
    public void MultipleDocumentsAndEmptyOnes()
    {
        var (docs, _) = Read("---\n# nothing\n---\na: 1\n---\n");
        Assert.Equal([false, true], docs.Select(d => d.Root is not null).Take(2));
    }
}
