using GitOps.Reconciler.Apps;
using GitOps.Reconciler.Sources;
using LibGit2Sharp;

namespace GitOps.Reconciler.Tests.Sources;

public sealed class GitCredentialsTests
{
    [Fact]
    public void HttpsTokensAreReadFromTheFileAtEachRequest()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "first-token\n");
            var handler = GitCredentials.For(RepoUrl.Parse("https://git.example.org/acme/pets.git"), new SourceAuth(null, null, null, null) { TokenFile = file });
            Assert.NotNull(handler);
            var creds = Assert.IsType<UsernamePasswordCredentials>(handler("https://git.example.org/acme/pets.git", null, SupportedCredentialTypes.UsernamePassword));
            Assert.Equal("git", creds.Username);
            Assert.Equal("first-token", creds.Password);
            File.WriteAllText(file, "rotated");
            Assert.Equal("rotated", ((UsernamePasswordCredentials)handler("u", null, SupportedCredentialTypes.UsernamePassword)).Password);

            var named = GitCredentials.For(RepoUrl.Parse("https://host/x"), new SourceAuth("deploy", "t", null, null))!;
            Assert.Equal("deploy", ((UsernamePasswordCredentials)named("u", null, SupportedCredentialTypes.UsernamePassword)).Username);

            // Tokens never go to ssh or unauthenticated remotes.
            Assert.Null(GitCredentials.For(RepoUrl.Parse("git@host:x.git"), new SourceAuth(null, "t", null, null)));
            Assert.Null(GitCredentials.For(RepoUrl.Parse("https://host/x"), null));

            File.Delete(file);
            var e = Assert.Throws<SourceException>(() => handler("u", null, SupportedCredentialTypes.UsernamePassword));
            Assert.Equal(SourceErrorKind.Auth, e.Kind);
            Assert.DoesNotContain("rotated", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void TheSshScriptCarriesKeyAndKnownHostsQuoted()
    {
        var script = SshCommand.Script("ssh", new SourceAuth(null, null, "/keys/it's.key", "/etc/known hosts"));
        Assert.StartsWith("#!/bin/sh\n", script);
        Assert.Contains("-i '/keys/it'\\''s.key' -o IdentitiesOnly=yes", script);
        Assert.Contains("-o 'UserKnownHostsFile=/etc/known hosts'", script);
        Assert.Contains("-o BatchMode=yes -o StrictHostKeyChecking=yes", script);
        Assert.EndsWith(" \"$@\"\n", script);
    }
}
