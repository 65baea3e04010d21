using GitOps.Runtime.Secrets;

namespace GitOps.Runtime.Tests.Secrets;

/// <summary>--secret / --config / --secret-env as docker service create reads them.</summary>
public sealed class SecretSyntaxTests
{
    [Fact]
    public void A_bare_name_is_the_source_with_swarm_defaults()
    {
        var r = SecretSyntax.Parse("db_password", SecretKind.Secret);
        Assert.Equal(("db_password", null, "0", "0", null), (r.Source, r.Target, r.UID, r.GID, r.Mode));
    }

    [Theory]
    [InlineData("0400", 256u)]
    [InlineData("292", 292u)]   // decimal, as Go's ParseUint(s, 0) reads it
    [InlineData("0o440", 288u)]
    [InlineData("0x1ff", 511u)]
    public void Modes_are_parsed_like_go(string mode, uint expected)
    {
        var r = SecretSyntax.Parse($"source=s,target=t,uid=1000,gid=1001,mode={mode},key=k", SecretKind.Secret);
        Assert.Equal(("s", "t", "1000", "1001", expected, "k"), (r.Source, r.Target, r.UID, r.GID, r.Mode!.Value, r.Key));
    }

    [Theory]
    [InlineData("target=x", "source is required")]
    [InlineData("source=s,foo=bar", "invalid field in secret request: foo")]
    [InlineData("source=s,junk", "invalid field 'junk' must be a key=value pair")]
    public void Errors_are_dockers(string value, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => SecretSyntax.Parse(value, SecretKind.Secret)).Message);

    [Fact]
    public void Config_errors_name_configs() =>
        Assert.Equal("invalid field in config request: foo",
            Assert.Throws<FormatException>(() => SecretSyntax.Parse("source=s,foo=1", SecretKind.Config)).Message);

    [Fact]
    public void Secret_env_names_a_variable_a_secret_and_maybe_a_key()
    {
        var e = SecretSyntax.ParseEnv("PETS_PASSWORD=pets-secret:password");
        Assert.Equal(("PETS_PASSWORD", "pets-secret", "password"), (e.Name, e.Source, e.Key));
        Assert.Null(SecretSyntax.ParseEnv("TOKEN=api").Key);
        Assert.Throws<FormatException>(() => SecretSyntax.ParseEnv("=x"));
        Assert.Throws<FormatException>(() => SecretSyntax.ParseEnv("NOVALUE"));
    }
}
