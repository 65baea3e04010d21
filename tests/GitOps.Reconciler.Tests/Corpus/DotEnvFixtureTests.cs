using GitOps.Reconciler.Compose;

namespace GitOps.Reconciler.Tests.Corpus;

/// <summary>compose-go's dotenv fixtures parse to the values its godotenv tests expect.</summary>
public sealed class DotEnvFixtureTests
{
    private static Dictionary<string, string> Parse(string fixture, Func<string, string?>? lookup = null) =>
        DotEnv.Parse(File.ReadAllText(TestPaths.Corpus("compose/compose-go/dotenv/fixtures/" + fixture)), lookup ?? (_ => null))
            .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    [Theory]
    [InlineData("plain.env")]
    [InlineData("utf8-bom.env")]
    public void PlainValuesTrimmedAndInlineCommentsDropped(string fixture)
    {
        var env = Parse(fixture);
        Assert.Equal("1", env["OPTION_A"]);
        Assert.Equal("2", env["OPTION_B"]);
        Assert.Equal("3", env["OPTION_C"]);
        Assert.Equal("4", env["OPTION_D"]);
        Assert.Equal("5", env["OPTION_E"]);
        Assert.Equal("ABC", env["456"]);
        Assert.Equal("", env["OPTION_F"]);
        Assert.Equal("", env["OPTION_G"]);
        Assert.Equal("my string", env["OPTION_H"]);
    }

    [Fact]
    public void QuotedValues()
    {
        var env = Parse("quoted.env");
        Assert.Equal("1", env["OPTION_A"]);
        Assert.Equal("2", env["OPTION_B"]);
        Assert.Equal("", env["OPTION_C"]);
        Assert.Equal("\\n", env["OPTION_D"]);
        Assert.Equal("1", env["OPTION_E"]);
        Assert.Equal("2", env["OPTION_F"]);
        Assert.Equal("", env["OPTION_G"]);
        Assert.Equal("\n", env["OPTION_H"]);
        Assert.Equal("echo 'asd'", env["OPTION_I"]);
        Assert.Equal("first line\nsecond line\nthird line\nand so on", env["OPTION_J"]);
        Assert.Equal("Let's go!", env["OPTION_K"]);
        Assert.Equal("last value", env["OPTION_Z"]);
    }

    [Fact]
    public void ExportedAndEquals()
    {
        Assert.Equal(new Dictionary<string, string> { ["OPTION_A"] = "2", ["OPTION_B"] = "\\n" }, Parse("exported.env"));
        Assert.Equal("postgres://localhost:5432/database?sslmode=disable", Parse("equals.env")["OPTION_A"]);
    }

    [Fact]
    public void UnquotedPhrases()
    {
        var env = Parse("unquoted.env");
        Assert.Equal("some quoted phrase", env["OPTION_A"]);
        Assert.Equal("first one with an unquoted phrase", env["OPTION_B"]);
        Assert.Equal("then another one with an unquoted phrase", env["OPTION_C"]);
        Assert.Equal("then another one with an unquoted phrase special è char", env["OPTION_D"]);
        Assert.Equal("then another one quoted phrase", env["OPTION_E"]);
    }

    [Theory]
    [InlineData("substitutions.env")]
    [InlineData("substitutions-default.env")]
    public void Substitutions(string fixture)
    {
        var env = Parse(fixture);
        Assert.Equal(("1", "1", "1", "1_1", ""), (env["OPTION_A"], env["OPTION_B"], env["OPTION_C"], env["OPTION_D"], env["OPTION_E"]));
    }

    [Fact]
    public void SpecialCharactersInNames()
    {
        var env = Parse("special.env");
        Assert.Equal(("dots", "underscores", "dashes"), (env["VAR.WITH.DOTS"], env["VAR_WITH_UNDERSCORES"], env["VAR-WITH-DASHES"]));
    }

    [Fact]
    public void InheritedVariablesComeFromTheEnvironmentAndUnknownOnesAreLeftOut()
    {
        string? Lookup(string k) => k == "VAR_TO_BE_LOADED_FROM_OS_ENV" ? "SOME_RANDOM_VALUE" : null;
        Assert.Equal(new Dictionary<string, string> { ["foo"] = "bar", ["VAR_TO_BE_LOADED_FROM_OS_ENV"] = "SOME_RANDOM_VALUE", ["bar"] = "baz" }, Parse("inherited-multi-var.env", Lookup));
        Assert.Equal(new Dictionary<string, string> { ["VAR_TO_BE_LOADED_FROM_OS_ENV"] = "SOME_RANDOM_VALUE" }, Parse("inherited-single-var.env", Lookup));
        Assert.Empty(Parse("inherited-not-found.env", Lookup));
    }

    [Fact]
    public void YamlStyleSeparator()
    {
        Assert.Equal(new Dictionary<string, string> { ["FOO"] = "BAR", ["ZOT"] = "QIX" }, Parse("custom.format"));
    }

    [Fact]
    public void InvalidLineIsAnErrorAtItsLine()
    {
        var e = Assert.Throws<DotEnvException>(() => Parse("invalid1.env"));
        Assert.Equal(7, e.Line);
        Assert.Contains("INVALID LINE", e.Message);
    }

    [Theory]
    [InlineData("FOO=\"escaped\\\"bar\"", "escaped\"bar")]
    [InlineData("FOO=\"bar#baz\" # comment", "bar#baz")]
    [InlineData("FOO=bar # this is foo", "bar")]
    [InlineData("FOO=foobar=", "foobar=")]
    [InlineData("FOO=\"foo\\$BAR\"", "foo$BAR")]
    [InlineData("BAR='quote $FOO'", "quote $FOO")]
    [InlineData("OPTION_A=1:B", "1:B")]
    public void LinesOfGodotenvsTests(string line, string expected)
    {
        Assert.Equal(expected, DotEnv.Parse(line, _ => null).Single().Value);
    }
}
