using System.Text;
using GitOps.Runtime.Events;
using GitOps.Runtime.Secrets;

namespace GitOps.Runtime.Tests.Secrets;

/// <summary>The encrypted store: round trips, what lands on disk, versions, conflicts and validation.</summary>
public sealed class SecretStoreTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("gitops-secrets-").FullName;
    readonly EnginePaths _paths;
    readonly SecretStore _store;

    public SecretStoreTests()
    {
        _paths = new EnginePaths(_root);
        _paths.EnsureCreated();
        _store = new SecretStore(_paths, new EventBus());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    static SecretSpec Value(string name, string value) => new() { Name = name, Data = Encoding.UTF8.GetBytes(value) };

    [Fact]
    public void A_secret_is_stored_sealed_and_revealed_intact()
    {
        const string plaintext = "s3cret-plaintext-canary";
        var r = _store.Create(SecretKind.Secret, Value("db", plaintext));
        Assert.Matches("^[a-z0-9]{25}$", r.Id);
        Assert.Equal(plaintext, Encoding.UTF8.GetString(_store.Reveal(r).Value!));

        // Nothing under the root holds the plaintext; the node key is 0600.
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(plaintext, Encoding.Latin1.GetString(File.ReadAllBytes(file)));
        var key = Path.Combine(_root, "secrets", "node.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(32, new FileInfo(key).Length);

        // A second store on the same root (a restarted daemon) reads it back.
        var again = new SecretStore(_paths, new EventBus());
        Assert.Equal(plaintext, Encoding.UTF8.GetString(again.Reveal(again.Get(SecretKind.Secret, "db")).Value!));
    }

    [Fact]
    public void Multi_key_secrets_keep_each_key()
    {
        var r = _store.Create(SecretKind.Secret, new SecretSpec
        {
            Name = "pets-secret",
            Items = new() { ["username"] = "john.doe\n"u8.ToArray(), ["password"] = [0, 1, 2, 255] },
        });
        Assert.Equal(["password", "username"], r.Keys);
        var content = _store.Reveal(r);
        Assert.Equal("john.doe\n", Encoding.UTF8.GetString(content.Items!["username"]));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, content.Items["password"]);
    }

    [Fact]
    public void A_tampered_payload_is_refused()
    {
        var r = _store.Create(SecretKind.Secret, Value("db", "value"));
        var tampered = r with { Payload = r.Payload.Select((b, i) => i == 20 ? (byte)(b ^ 1) : b).ToArray() };
        Assert.Throws<InvalidDataException>(() => _store.Reveal(tampered));
    }

    [Fact]
    public void Names_are_unique_per_kind_and_ensure_is_idempotent_then_versions()
    {
        _store.Create(SecretKind.Secret, Value("api", "one"));
        var e = Assert.Throws<ConflictException>(() => _store.Create(SecretKind.Secret, Value("api", "two")));
        Assert.Equal("secret api already exists", e.Message);
        _store.Create(SecretKind.Config, Value("api", "a config may share the name"));

        var (same, changed) = _store.Ensure(SecretKind.Secret, Value("api", "one"));
        Assert.False(changed);
        Assert.Equal(1, same.Version);
        var (next, changed2) = _store.Ensure(SecretKind.Secret, Value("api", "two"));
        Assert.True(changed2);
        Assert.Equal((same.Id, 2L), (next.Id, next.Version));
        Assert.Equal("two", Encoding.UTF8.GetString(_store.Reveal(next).Value!));

        Assert.Throws<ConflictException>(() => _store.Update(SecretKind.Secret, "api", Value("api", "three"), expectedVersion: 1));
        Assert.Equal(3, _store.Update(SecretKind.Secret, "api", Value("api", "three"), expectedVersion: 2).Version);
    }

    [Fact]
    public void Removal_is_refused_while_a_container_refers_to_it()
    {
        var r = _store.Create(SecretKind.Secret, Value("db", "x"));
        _store.Use(r.Id, "c1");
        var e = Assert.Throws<ConflictException>(() => _store.Remove(SecretKind.Secret, "db"));
        Assert.Equal("secret 'db' is in use by the following container: c1", e.Message);
        _store.Release(r.Id, "c1");
        _store.Remove(SecretKind.Secret, "db");
        Assert.Null(_store.Find(SecretKind.Secret, "db"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, "secrets"), "*.json"));
    }

    [Fact]
    public void Every_validation_error_is_reported_at_once()
    {
        var e = Assert.Throws<InvalidArgumentException>(() => _store.Create(SecretKind.Secret, new SecretSpec { Name = "-bad-", Data = [] }));
        Assert.Contains("invalid name \"-bad-\"", e.Message);
        Assert.Contains("secret data must be larger than 0 and less than 512000 bytes", e.Message);
        var keys = Assert.Throws<InvalidArgumentException>(() => _store.Create(SecretKind.Config,
            new SecretSpec { Name = "c", Items = new() { ["a/b"] = [1], ["ok"] = [1] } }));
        Assert.Contains("invalid key \"a/b\"", keys.Message);
    }

    [Fact]
    public void Configs_are_kept_as_they_are()
    {
        var r = _store.Create(SecretKind.Config, Value("nginx.conf", "server {}"));
        Assert.Equal("server {}", Encoding.UTF8.GetString(r.Payload));
        Assert.StartsWith("hmac-sha256:", r.ContentHash);
    }
}
