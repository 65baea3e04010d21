using GitOps.Reconciler.Apps;
using LibGit2Sharp;
using LibGit2Sharp.Handlers;

namespace GitOps.Reconciler.Sources;

/// <summary>
/// Credentials for http(s): the token as the password, the user name as configured or "git" (forges accept
/// any name with a token; some insist on one being there). The token is read when the remote asks for it, so a
/// rotated token file takes effect on the next fetch without a restart. ssh keys go through core.sshCommand.
/// </summary>
internal static class GitCredentials
{
    public static CredentialsHandler? For(RepoUrl url, SourceAuth? auth)
    {
        if (!url.IsHttp || auth is null || (auth.Token is null && auth.TokenFile is null)) return null;
        return (_, _, _) => new UsernamePasswordCredentials { Username = auth.Username ?? "git", Password = ReadToken(url, auth) };
    }

    private static string ReadToken(RepoUrl url, SourceAuth auth)
    {
        if (auth.Token is { } token) return token;
        try
        {
            return File.ReadAllText(auth.TokenFile!).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SourceException(SourceErrorKind.Auth, url.Original, null, $"cannot read token file {auth.TokenFile}: {e.Message}", e);
        }
    }
}
