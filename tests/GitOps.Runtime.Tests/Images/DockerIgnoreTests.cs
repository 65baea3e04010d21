using GitOps.Runtime.Images.Build;

namespace GitOps.Runtime.Tests.Images;

public sealed class DockerIgnoreTests
{
    static readonly DockerIgnore Ignore = new(["# comment", "secret.txt", "/logs", "docs/*", "!docs/keep.md", "**/*.tmp", "a?c", "[xy]z", "", "./build/"]);

    [Theory]
    [InlineData("secret.txt", true)]
    [InlineData("sub/secret.txt", false)]   // patterns are anchored at the context root
    [InlineData("logs", true)]
    [InlineData("logs/today/x.log", true)]  // a parent directory matches
    [InlineData("docs/drop.md", true)]
    [InlineData("docs/keep.md", false)]     // the exception, later, wins
    [InlineData("docs", false)]
    [InlineData("x.tmp", true)]             // ** matches no directory too
    [InlineData("src/deep/y.tmp", true)]
    [InlineData("abc", true)]
    [InlineData("abbc", false)]
    [InlineData("xz", true)]
    [InlineData("zz", false)]
    [InlineData("build/out.o", true)]
    [InlineData("main.c", false)]
    public void Matches_like_dockers_patternmatcher(string path, bool excluded) => Assert.Equal(excluded, Ignore.IsExcluded(path));

    [Fact]
    public void A_directory_with_an_exception_inside_is_still_walked()
    {
        Assert.False(Ignore.CanSkipDirectory("docs"));
        Assert.True(Ignore.CanSkipDirectory("logs"));
        var simple = new DockerIgnore(["logs"]);
        Assert.True(simple.CanSkipDirectory("logs"));
    }

    [Fact]
    public void Walk_yields_what_is_kept()
    {
        var dir = Directory.CreateTempSubdirectory("ignore-").FullName;
        try
        {
            foreach (var f in new[] { "keep.txt", "secret.txt", "docs/keep.md", "docs/drop.md", "logs/a.log", "src/x.tmp", "src/main.c" })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, f))!);
                File.WriteAllText(Path.Combine(dir, f), f);
            }
            Assert.Equal(["docs", "docs/keep.md", "keep.txt", "src", "src/main.c"], Ignore.Walk(dir).Order(StringComparer.Ordinal));
        }
        finally { Directory.Delete(dir, true); }
    }
}
