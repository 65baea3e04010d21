using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Runtime.State;

namespace GitOps.Runtime.Images.Registry;

public sealed record Credential(string Username, string Password);

/// <summary>
/// Registry credentials of `gitops login`, kept by the daemon (which pulls on its own during
/// deploys) in one file readable by root alone, shaped like Docker's config.json "auths" section.
/// </summary>
public sealed class CredentialStore(string path)
{
    readonly Lock _gate = new();

    public Credential? Get(string registry)
    {
        lock (_gate)
        {
            var file = Read();
            if (!file.Auths.TryGetValue(Key(registry), out var entry) || entry.Auth is null) return null;
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(entry.Auth));
            var colon = decoded.IndexOf(':');
            return colon < 0 ? null : new Credential(decoded[..colon], decoded[(colon + 1)..]);
        }
    }

    public void Set(string registry, Credential credential)
    {
        lock (_gate)
        {
            var file = Read();
            file.Auths[Key(registry)] = new AuthEntry { Auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")) };
            Write(file);
        }
    }

    public bool Remove(string registry)
    {
        lock (_gate)
        {
            var file = Read();
            if (!file.Auths.Remove(Key(registry))) return false;
            Write(file);
            return true;
        }
    }

    /// <summary>Docker Hub is stored under one name whichever spelling the user typed.</summary>
    public static string Key(string registry)
    {
        var r = registry.Trim();
        foreach (var prefix in new[] { "https://", "http://" })
            if (r.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) r = r[prefix.Length..];
        r = r.TrimEnd('/');
        if (r.EndsWith("/v1", StringComparison.Ordinal) || r.EndsWith("/v2", StringComparison.Ordinal)) r = r[..^3];
        return r is "index.docker.io" or "registry-1.docker.io" or "" ? ImageReference.DefaultDomain : r.ToLowerInvariant();
    }

    CredentialFile Read()
    {
        try { return AtomicFile.ReadJson(path, RegistryJson.Default.CredentialFile) ?? new CredentialFile(); }
        catch (JsonException) { return new CredentialFile(); }
    }

    // 0600: the file holds passwords.
    void Write(CredentialFile file) =>
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(file, RegistryJson.Default.CredentialFile), UnixFileMode.UserRead | UnixFileMode.UserWrite);
}

public sealed class CredentialFile
{
    [JsonPropertyName("auths")] public Dictionary<string, AuthEntry> Auths { get; set; } = new(StringComparer.Ordinal);
}

public sealed class AuthEntry
{
    [JsonPropertyName("auth")] public string? Auth { get; set; }
}
