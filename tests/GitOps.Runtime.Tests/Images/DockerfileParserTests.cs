using GitOps.Runtime.Images.Build;

namespace GitOps.Runtime.Tests.Images;

public sealed class DockerfileParserTests
{
    [Fact]
    public void Continuations_comments_and_flags_keep_the_line_where_an_instruction_starts()
    {
        var f = DockerfileParser.Parse("""
            # a comment
            FROM bb AS build

            RUN echo one \
            # a comment inside a continuation is dropped
                && echo two
            copy --from=build --chown=1:2 /a /b
            HEALTHCHECK --interval=5s CMD true
            """);
        Assert.Empty(f.Errors);
        Assert.Equal(["FROM", "RUN", "COPY", "HEALTHCHECK"], f.Instructions.Select(i => i.Keyword));
        Assert.Equal([2, 4, 7, 8], f.Instructions.Select(i => i.Line));
        Assert.Equal("echo one     && echo two", f.Instructions[1].Args);
        Assert.Equal("build", f.Instructions[2].Flags["from"]);
        Assert.Equal("1:2", f.Instructions[2].Flags["chown"]);
        Assert.Equal("/a /b", f.Instructions[2].Args);
        Assert.Equal("5s", f.Instructions[3].Flags["interval"]);
    }

    [Fact]
    public void The_escape_directive_changes_the_continuation_character()
    {
        var f = DockerfileParser.Parse("# escape=`\nFROM bb\nRUN dir c:\\ `\n  && echo x\n");
        Assert.Empty(f.Errors);
        Assert.Equal('`', f.Escape);
        Assert.Equal("dir c:\\   && echo x", f.Instructions[1].Args);
    }

    [Fact]
    public void Every_error_is_reported_with_its_line()
    {
        var f = DockerfileParser.Parse("FROM bb\nFOO bar\nCOPY --bogus=1 a b\nRUN true\nWORKDIR\nBAR\n", "Dockerfile.dev");
        Assert.Equal(
            ["Dockerfile.dev:2: unknown instruction: FOO", "Dockerfile.dev:3: unknown flag: --bogus for COPY",
             "Dockerfile.dev:5: WORKDIR requires at least one argument", "Dockerfile.dev:6: unknown instruction: BAR"],
            f.Errors);
    }

    [Theory]
    [InlineData("$A/x", "1/x")]
    [InlineData("${A}y", "1y")]
    [InlineData("${MISSING:-fallback}", "fallback")]
    [InlineData("${A:+alt}", "alt")]
    [InlineData("${MISSING:+alt}", "")]
    [InlineData("'$A'", "'$A'")]
    [InlineData("\\$A", "\\$A")]
    public void Variables_expand_as_Docker_expands_them(string input, string expected) =>
        Assert.Equal(expected, Expander.Expand(input, k => k == "A" ? "1" : null));
}
