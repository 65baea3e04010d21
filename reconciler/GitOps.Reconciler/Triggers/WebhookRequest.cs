using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GitOps.Reconciler.Triggers;

/// <summary>
/// Reads and verifies a push webhook from GitHub, Gitea/Forgejo/Gogs or GitLab: pure (headers and the raw body
/// in, a verdict out), so the HTTP listener stays a thin shell and every rule is testable without sockets.
/// </summary>
/// <remarks>
/// The signature is checked on the raw bytes before the JSON is parsed, and every comparison is constant-time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/>), so timing reveals nothing about the secret. With a
/// secret configured a delivery without a valid signature (or token) is rejected; without one deliveries are
/// accepted and the push is marked unsigned. Gitea also sends GitHub's headers for compatibility, so it is
/// recognised first.
/// </remarks>
internal static class WebhookRequest
{
    /// <summary>
    /// The brief's form: true when the delivery is accepted (a push in <paramref name="push"/>, or a ping or an
    /// ignored event with <paramref name="push"/> null and the reason in <paramref name="error"/>); false when rejected.
    /// </summary>
    public static bool TryParse(IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body, string? secret, out PushEvent? push, out string error)
    {
        var result = Parse(headers, body, secret);
        push = result.Push;
        error = result.Outcome is WebhookOutcome.Push ? "" : result.Reason;
        return result.Accepted;
    }

    /// <summary>
    /// What can be refused from the headers alone, before a byte of the body is read: an unknown sender, a missing
    /// or malformed signature, a wrong GitLab token. Null when the body must be read and verified.
    /// </summary>
    public static string? CheckHeaders(IReadOnlyDictionary<string, string> headers, string? secret)
    {
        if (string.IsNullOrEmpty(secret)) secret = null;
        if ((Header(headers, "X-Gitea-Event") ?? Header(headers, "X-Forgejo-Event") ?? Header(headers, "X-Gogs-Event")) is not null)
            return secret is null ? null : SignatureHeaderProblem(Header(headers, "X-Gitea-Signature") ?? Header(headers, "X-Forgejo-Signature") ?? Header(headers, "X-Gogs-Signature"), null, "X-Gitea-Signature");
        if (Header(headers, "X-Gitlab-Event") is not null)
        {
            if (secret is null) return null;
            var token = Header(headers, "X-Gitlab-Token");
            if (token is null) return "missing X-Gitlab-Token (a secret is configured)";
            return SecretEquals(token, secret) ? null : "X-Gitlab-Token does not match the configured secret";
        }
        if (Header(headers, "X-GitHub-Event") is not null)
            return secret is null ? null : SignatureHeaderProblem(Header(headers, "X-Hub-Signature-256"), "sha256=", "X-Hub-Signature-256");
        return "not a GitHub, Gitea/Forgejo or GitLab webhook (no X-GitHub-Event, X-Gitea-Event or X-Gitlab-Event header)";
    }

    private static string? SignatureHeaderProblem(string? header, string? prefix, string headerName)
    {
        if (header is null) return $"missing {headerName} (a secret is configured)";
        var hex = header.Trim();
        if (prefix is not null)
        {
            if (!hex.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return $"{headerName} is not of the form {prefix}HEX";
            hex = hex[prefix.Length..];
        }
        // An HMAC-SHA256 is 32 bytes: anything else cannot match, whatever the body.
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? null : $"{headerName} is not a hexadecimal SHA-256 signature";
    }

    public static WebhookResult Parse(IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body, string? secret)
    {
        if (string.IsNullOrEmpty(secret)) secret = null;
        if ((Header(headers, "X-Gitea-Event") ?? Header(headers, "X-Forgejo-Event") ?? Header(headers, "X-Gogs-Event")) is { } giteaEvent)
        {
            var signature = Header(headers, "X-Gitea-Signature") ?? Header(headers, "X-Forgejo-Signature") ?? Header(headers, "X-Gogs-Signature");
            if (VerifyHmac(WebhookProvider.Gitea, signature, prefix: null, "X-Gitea-Signature", body, secret) is { } rejected) return rejected;
            return Event(WebhookProvider.Gitea, giteaEvent, body, secret is not null, isPush: giteaEvent == "push");
        }
        if (Header(headers, "X-Gitlab-Event") is { } gitlabEvent)
        {
            if (secret is not null)
            {
                var token = Header(headers, "X-Gitlab-Token");
                if (token is null) return WebhookResult.Reject(WebhookProvider.GitLab, "missing X-Gitlab-Token (a secret is configured)");
                if (!SecretEquals(token, secret)) return WebhookResult.Reject(WebhookProvider.GitLab, "X-Gitlab-Token does not match the configured secret");
            }
            return Event(WebhookProvider.GitLab, gitlabEvent, body, secret is not null, isPush: gitlabEvent is "Push Hook" or "Tag Push Hook");
        }
        if (Header(headers, "X-GitHub-Event") is { } githubEvent)
        {
            var signature = Header(headers, "X-Hub-Signature-256");
            if (VerifyHmac(WebhookProvider.GitHub, signature, "sha256=", "X-Hub-Signature-256", body, secret) is { } rejected) return rejected;
            if (githubEvent == "ping") return new WebhookResult(WebhookOutcome.Ping, WebhookProvider.GitHub, null, "ping");
            return Event(WebhookProvider.GitHub, githubEvent, body, secret is not null, isPush: githubEvent == "push");
        }
        return WebhookResult.Reject(null, "not a GitHub, Gitea/Forgejo or GitLab webhook (no X-GitHub-Event, X-Gitea-Event or X-Gitlab-Event header)");
    }

    private static WebhookResult? VerifyHmac(WebhookProvider provider, string? header, string? prefix, string headerName, ReadOnlySpan<byte> body, string? secret)
    {
        if (secret is null) return null;
        if (header is null) return WebhookResult.Reject(provider, $"missing {headerName} (a secret is configured)");
        var hex = header.Trim();
        if (prefix is not null)
        {
            if (!hex.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return WebhookResult.Reject(provider, $"{headerName} is not of the form {prefix}HEX");
            hex = hex[prefix.Length..];
        }
        byte[] given;
        try { given = Convert.FromHexString(hex); }
        catch (FormatException) { return WebhookResult.Reject(provider, $"{headerName} is not hexadecimal"); }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        // FixedTimeEquals is false at once for different lengths; the length of a SHA-256 is no secret.
        return CryptographicOperations.FixedTimeEquals(given, expected) ? null : WebhookResult.Reject(provider, $"{headerName} does not match the body signed with the configured secret");
    }

    /// <summary>Constant-time for any lengths: both sides are hashed first, so not even the secret's length leaks.</summary>
    private static bool SecretEquals(string given, string secret) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static WebhookResult Event(WebhookProvider provider, string name, ReadOnlySpan<byte> body, bool signed, bool isPush)
    {
        if (!isPush) return new WebhookResult(WebhookOutcome.Ignored, provider, null, $"event '{name}' ignored: only pushes trigger a reconcile");
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return WebhookResult.Reject(provider, "the push payload is not a JSON object");
            var reference = String(root, "ref");
            if (reference is null) return WebhookResult.Reject(provider, "the push payload has no 'ref'");
            var urls = new List<string>();
            string? defaultBranch = null;
            // GitHub and Gitea describe the repository under "repository"; GitLab under "project" (and an older
            // "repository" block). Every URL form is collected: the app may name the repository any of these ways.
            foreach (var section in new[] { "repository", "project" })
            {
                if (!root.TryGetProperty(section, out var repo) || repo.ValueKind != JsonValueKind.Object) continue;
                foreach (var key in UrlKeys)
                    if (String(repo, key) is { Length: > 0 } url && !urls.Contains(url)) urls.Add(url);
                defaultBranch ??= String(repo, "default_branch") ?? String(repo, "master_branch");
            }
            if (urls.Count == 0) return WebhookResult.Reject(provider, "the push payload names no repository URL");
            var after = String(root, "after") ?? String(root, "checkout_sha");
            var push = new PushEvent(provider, urls, reference, after, defaultBranch, signed);
            return new WebhookResult(WebhookOutcome.Push, provider, push, signed ? "push" : "push (unsigned: no secret configured)");
        }
        catch (JsonException e)
        {
            return WebhookResult.Reject(provider, "the push payload is not valid JSON: " + e.Message);
        }
    }

    private static readonly string[] UrlKeys = ["clone_url", "ssh_url", "git_url", "html_url", "url", "svn_url", "git_http_url", "git_ssh_url", "http_url", "web_url", "homepage"];

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>HTTP header names are case-insensitive; the dictionary handed in may not be.</summary>
    private static string? Header(IReadOnlyDictionary<string, string> headers, string name)
    {
        if (headers.TryGetValue(name, out var value)) return value;
        foreach (var (k, v) in headers)
            if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) return v;
        return null;
    }
}
