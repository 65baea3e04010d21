using GitOps.Runtime;
using GitOps.Runtime.Images;

namespace GitOps.Runtime.Tests.Images;

public sealed class ConfigChangesTests
{
    [Fact]
    public void Applies_dockerfile_config_instructions()
    {
        var c = ConfigChanges.Apply(new ImageRuntimeConfig(),
        [
            "CMD [\"sh\", \"-c\", \"echo hi\"]", "ENTRYPOINT /bin/echo x", "ENV A=1 B=\"two words\"", "ENV C 3",
            "WORKDIR /app", "WORKDIR sub", "USER nobody", "LABEL team=core", "EXPOSE 80 53/udp", "VOLUME [\"/data\"]",
            "STOPSIGNAL SIGINT",
        ]);
        Assert.Equal(["sh", "-c", "echo hi"], c.Cmd);
        Assert.Equal(["/bin/sh", "-c", "/bin/echo x"], c.Entrypoint);
        Assert.Equal(["A=1", "B=two words", "C=3"], c.Env);
        Assert.Equal("/app/sub", c.WorkingDir);
        Assert.Equal("nobody", c.User);
        Assert.Equal("core", c.Labels!["team"]);
        Assert.Equal(["80/tcp", "53/udp"], c.ExposedPorts!.Keys);
        Assert.Equal(["/data"], c.Volumes!.Keys);
        Assert.Equal("SIGINT", c.StopSignal);
    }

    [Fact]
    public void Env_replaces_existing_keys()
    {
        var c = ConfigChanges.Apply(new ImageRuntimeConfig { Env = ["PATH=/bin", "A=1"] }, ["ENV A=2"]);
        Assert.Equal(["PATH=/bin", "A=2"], c.Env);
    }

    [Fact]
    public void Unknown_instruction_is_rejected()
    {
        var e = Assert.Throws<InvalidArgumentException>(() => ConfigChanges.Apply(new ImageRuntimeConfig(), ["RUN ls"]));
        Assert.Contains("RUN is not a valid change", e.Message);
    }

    [Theory]
    [InlineData("a b c", new[] { "a", "b", "c" })]
    [InlineData("'a b' \"c d\" e\\ f", new[] { "a b", "c d", "e f" })]
    [InlineData("k=\"v w\"", new[] { "k=v w" })]
    public void Splits_shell_words(string input, string[] words) => Assert.Equal(words, ShellWords.Split(input));
}
