using System.Security.Cryptography;
using System.Text;

namespace GitOps.Reconciler.Sources;

/// <summary>
/// A repository location in one of the forms Git accepts, and the key two spellings of the same repository
/// share: https://github.com/acme/pets.git, git@github.com:acme/pets and ssh://git@github.com/acme/pets/ all
/// become <c>github.com/acme/pets</c>. That key names the mirror (so apps naming one repository two ways share a
/// fetch) and matches webhook payloads to apps.
/// </summary>
internal sealed record RepoUrl(RepoScheme Scheme, string Host, string Path, string Original)
{
    /// <summary>Parses <paramref name="url"/>; relative local paths are made absolute against <paramref name="baseDirectory"/> (default: the current directory).</summary>
    public static bool TryParse(string url, out RepoUrl result, string? baseDirectory = null)
    {
        result = null!;
        var text = url.Trim();
        if (text.Length == 0) return false;
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0)
        {
            var scheme = text[..schemeEnd].ToLowerInvariant();
            if (scheme == "file")
            {
                var path = Uri.UnescapeDataString(text[(schemeEnd + 3)..]);
                // file://host/path is not something a daemon can read; only file:///path (empty host) is local.
                if (!path.StartsWith('/')) return false;
                result = new RepoUrl(RepoScheme.Local, "", System.IO.Path.GetFullPath(path), url);
                return true;
            }
            var kind = scheme switch
            {
                "https" => RepoScheme.Https,
                "http" => RepoScheme.Http,
                "ssh" or "git+ssh" or "ssh+git" => RepoScheme.Ssh,
                "git" => RepoScheme.Git,
                _ => (RepoScheme?)null,
            };
            if (kind is null) return false;
            var rest = text[(schemeEnd + 3)..];
            var slash = rest.IndexOf('/');
            var authority = slash < 0 ? rest : rest[..slash];
            var remotePath = slash < 0 ? "" : rest[(slash + 1)..];
            var at = authority.LastIndexOf('@');
            var hostPort = at >= 0 ? authority[(at + 1)..] : authority;
            var host = StripPort(hostPort);
            if (host.Length == 0 || remotePath.Trim('/').Length == 0) return false;
            result = new RepoUrl(kind.Value, host.ToLowerInvariant(), remotePath, url);
            return true;
        }
        // scp-like: [user@]host:path. A colon before any slash means a host; a path has its slash first.
        var colon = text.IndexOf(':');
        var firstSlash = text.IndexOf('/');
        if (colon > 0 && (firstSlash < 0 || colon < firstSlash))
        {
            var authority = text[..colon];
            var at = authority.LastIndexOf('@');
            var host = at >= 0 ? authority[(at + 1)..] : authority;
            var remotePath = text[(colon + 1)..];
            if (host.Length == 0 || remotePath.Trim('/').Length == 0) return false;
            result = new RepoUrl(RepoScheme.Ssh, host.ToLowerInvariant(), remotePath, url);
            return true;
        }
        var full = System.IO.Path.GetFullPath(text, baseDirectory ?? Directory.GetCurrentDirectory());
        result = new RepoUrl(RepoScheme.Local, "", full, url);
        return true;
    }

    public static RepoUrl Parse(string url, string? baseDirectory = null) =>
        TryParse(url, out var r, baseDirectory) ? r : throw new SourceException(SourceErrorKind.BadRef, url, null, "not a repository URL or path (expected a path, file://, https://, ssh://, git:// or user@host:path)");

    public bool IsLocal => Scheme == RepoScheme.Local;

    public bool IsSsh => Scheme == RepoScheme.Ssh;

    public bool IsHttp => Scheme is RepoScheme.Https or RepoScheme.Http;

    /// <summary>
    /// The identity of the repository: for remotes the host and the path, lower-cased (the forges this talks to
    /// treat owner and name case-insensitively) without ".git", slashes at either end, user or port; for local
    /// repositories the absolute path without a trailing slash or ".git".
    /// </summary>
    public string Key => IsLocal ? "local:" + TrimGit(Path.TrimEnd('/')) : Host + "/" + TrimGit(Path.Trim('/')).ToLowerInvariant();

    /// <summary>What libgit2 is handed: the absolute path for local repositories, the URL as written otherwise.</summary>
    public string FetchUrl => IsLocal ? Path : Original.Trim();

    /// <summary>A short stable name for the mirror directory: the key's SHA-256, first 24 hex digits.</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)))[..24];

    public bool SameRepository(RepoUrl other) => string.Equals(Key, other.Key, StringComparison.Ordinal);

    /// <summary>True when both strings parse and name the same repository.</summary>
    public static bool SameRepository(string a, string b) =>
        TryParse(a, out var x) && TryParse(b, out var y) && x.SameRepository(y);

    /// <summary>The URL with any user-info password removed (https://user:token@host → https://user@host), for messages.</summary>
    public static string Redact(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return url;
        var start = schemeEnd + 3;
        var slash = url.IndexOf('/', start);
        var authorityEnd = slash < 0 ? url.Length : slash;
        var at = url.LastIndexOf('@', authorityEnd - 1, authorityEnd - start);
        if (at < 0) return url;
        var colon = url.IndexOf(':', start, at - start);
        return colon < 0 ? url : url[..colon] + url[at..];
    }

    public override string ToString() => Redact(Original);

    private static string TrimGit(string path) =>
        path.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? path[..^4].TrimEnd('/') : path;

    private static string StripPort(string hostPort)
    {
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']');
            return close > 0 ? hostPort[..(close + 1)] : hostPort;
        }
        var colon = hostPort.LastIndexOf(':');
        return colon >= 0 ? hostPort[..colon] : hostPort;
    }
}
