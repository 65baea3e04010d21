using GitOps.Runtime;
using GitOps.Runtime.Containers;

namespace GitOps.Runtime.Tests.Containers;

public sealed class RestartPolicyAndSignalTests
{
    [Theory]
    [InlineData(null, "no", 0)]
    [InlineData("no", "no", 0)]
    [InlineData("always", "always", 0)]
    [InlineData("unless-stopped", "unless-stopped", 0)]
    [InlineData("on-failure", "on-failure", 0)]
    [InlineData("on-failure:5", "on-failure", 5)]
    public void Parses_docker_restart_policies(string? input, string name, int max)
    {
        var p = RestartPolicy.Parse(input);
        Assert.Equal(name, p.Name);
        Assert.Equal(max, p.MaximumRetryCount);
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("always:3")]
    [InlineData("on-failure:-1")]
    [InlineData("on-failure:x")]
    public void Rejects_bad_restart_policies_with_a_reason(string input)
    {
        var e = Assert.Throws<InvalidArgumentException>(() => RestartPolicy.Parse(input));
        Assert.Contains(input, e.Message);
    }

    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("TERM", 15)]
    [InlineData("term", 15)]
    [InlineData("9", 9)]
    [InlineData("SIGKILL", 9)]
    [InlineData("SIGUSR1", 10)]
    [InlineData("RTMIN+3", 37)]
    [InlineData("SIGRTMAX", 64)]
    public void Parses_signal_names_and_numbers(string input, int number) => Assert.Equal(number, Signals.Parse(input));

    [Fact]
    public void Unknown_signal_is_rejected() => Assert.Throws<InvalidArgumentException>(() => Signals.Parse("SIGFOO"));

    [Fact]
    public void Names_signals_for_messages() => Assert.Equal("SIGTERM", Signals.Name(15));

    [Fact]
    public void Generated_names_are_docker_style_and_avoid_taken_ones()
    {
        var taken = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var n = NameGenerator.Generate(taken.Contains);
            Assert.Matches("^[a-z]+_[a-z]+[0-9]?$", n);
            Assert.True(taken.Add(n));
        }
    }

    [Theory]
    [InlineData("web", true)]
    [InlineData("my.app_1-x", true)]
    [InlineData("a", false)]
    [InlineData("-web", false)]
    [InlineData("we b", false)]
    [InlineData("web/1", false)]
    public void Container_names_follow_dockers_rule(string name, bool valid) => Assert.Equal(valid, Ids.IsValidName(name));
}
