using System.Text;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Events;
using GitOps.Runtime.Secrets;
using GitOps.Runtime.Storage;
using GitOps.Runtime.Volumes;

namespace GitOps.Runtime.Tests.Storage;

/// <summary>Create-time planning of mounts and secret references: precedence, validation, rollback.</summary>
public sealed class ContainerStorageTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("gitops-storage-").FullName;
    readonly VolumeStore _volumes;
    readonly SecretStore _secrets;
    readonly ContainerStorage _storage;

    public ContainerStorageTests()
    {
        var paths = new EnginePaths(_root);
        paths.EnsureCreated();
        var events = new EventBus();
        _volumes = new VolumeStore(paths, events);
        _secrets = new SecretStore(paths, events);
        _storage = new ContainerStorage(paths, _volumes, _secrets);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    static CreateRequest Request(HostConfig h) => new() { Image = "bb", HostConfig = h };

    StoragePlan Plan(CreateRequest req, params string[] imageVolumes) => _storage.Plan("c1", req, imageVolumes, _ => null);

    [Fact]
    public void Mounts_resolve_with_dockers_precedence_and_image_volumes_become_anonymous_volumes()
    {
        var host = Directory.CreateTempSubdirectory("gitops-bind-").FullName;
        try
        {
            var plan = Plan(Request(new HostConfig
            {
                Binds = ["shared:/data:ro", $"{host}:/src"],
                Mounts = [new MountRequest { Type = "tmpfs", Target = "/scratch", TmpfsOptions = new TmpfsOptions { SizeBytes = 1 << 20 } }],
                Tmpfs = new() { ["/run"] = "size=1m" },
            }), "/data", "/var/lib/db");
            var byDest = plan.Mounts.ToDictionary(m => m.Destination);
            Assert.Equal(5, byDest.Count); // the image's /data is covered by the user's -v
            Assert.Equal(("shared", false, "ro", true), (byDest["/data"].Name, byDest["/data"].RW, byDest["/data"].Mode, byDest["/data"].CopyData));
            Assert.Equal(_volumes.Mountpoint("shared"), byDest["/data"].Source);
            Assert.Equal(("bind", host, "rprivate"), (byDest["/src"].Type, byDest["/src"].Source, byDest["/src"].Propagation));
            Assert.Equal(["noexec", "size=1048576"], byDest["/scratch"].TmpfsOptions);
            var anonymous = _volumes.Get(byDest["/var/lib/db"].Name!);
            Assert.True(anonymous.IsAnonymous);
            Assert.Equal(["c1"], _volumes.UsedBy("shared"));
        }
        finally { Directory.Delete(host); }
    }

    [Fact]
    public void Every_mistake_is_reported_and_nothing_is_left_behind()
    {
        var e = Assert.Throws<InvalidArgumentException>(() => Plan(Request(new HostConfig
        {
            Binds = ["ok:/fine", "bad name:/x", "/h:/y:Z", "/h:relative"],
            Mounts =
            [
                new MountRequest { Type = "bind", Target = "/b" },
                new MountRequest { Type = "bind", Source = "/does/not/exist", Target = "/c" },
                new MountRequest { Type = "tmpfs", Source = "x", Target = "/t" },
                new MountRequest { Type = "volume", Target = "/fine" },
            ],
            Tmpfs = new() { ["/"] = "" },
        })));
        var lines = e.Message.Split('\n');
        Assert.Contains(lines, l => l.Contains("\"bad name\" includes invalid characters"));
        Assert.Contains(lines, l => l.Contains("SELinux"));
        Assert.Contains(lines, l => l.Contains("invalid mount path: 'relative' mount path must be absolute"));
        Assert.Contains(lines, l => l == "invalid mount config for type \"bind\": field Source must not be empty");
        Assert.Contains(lines, l => l == "invalid mount config for type \"bind\": bind source path does not exist: /does/not/exist");
        Assert.Contains(lines, l => l == "invalid mount config for type \"tmpfs\": field Source must not be specified");
        Assert.Contains(lines, l => l == "Duplicate mount point: /fine");
        Assert.Contains(lines, l => l.Contains("destination can't be '/'"));
        Assert.Empty(_volumes.List()); // "ok" was valid, but the create failed: not created
    }

    [Fact]
    public void Secret_references_resolve_targets_and_report_what_is_missing()
    {
        _secrets.Create(SecretKind.Secret, new SecretSpec { Name = "db_password", Data = "pw"u8.ToArray() });
        _secrets.Create(SecretKind.Secret, new SecretSpec { Name = "pets", Items = new() { ["username"] = "u"u8.ToArray() } });
        _secrets.Create(SecretKind.Config, new SecretSpec { Name = "app.conf", Data = "x=1"u8.ToArray() });
        var plan = Plan(new CreateRequest
        {
            Image = "bb",
            Secrets =
            [
                new SecretReference { Source = "db_password" },
                new SecretReference { Source = "db_password", Target = "/etc/pw", Mode = 0x100, UID = "999" },
                new SecretReference { Source = "pets", Target = "/etc/pets" },
            ],
            Configs = [new SecretReference { Source = "app.conf" }],
            SecretEnv = [new SecretEnv { Name = "USER", Source = "pets", Key = "username" }],
        });
        Assert.Equal(["/run/secrets/db_password", "/etc/pw", "/etc/pets"], plan.Secrets.Select(s => s.Destination));
        Assert.Equal(SecretPlanner.DefaultMode, plan.Secrets[0].Mode);
        Assert.Equal("/app.conf", plan.Configs.Single().Destination);
        Assert.NotNull(plan.SecretEnv.Single().Id);
        Assert.Throws<ConflictException>(() => _secrets.Remove(SecretKind.Secret, "db_password"));

        var e = Assert.Throws<InvalidArgumentException>(() => Plan(new CreateRequest
        {
            Image = "bb",
            Secrets =
            [
                new SecretReference { Source = "nope" },
                new SecretReference { Source = "db_password", Target = "../escape" },
                new SecretReference { Source = "db_password", Key = "k" },
                new SecretReference { Source = "pets", Key = "password" },
                new SecretReference { Source = "db_password", UID = "root" },
                new SecretReference { Source = "db_password", Target = "a" },
                new SecretReference { Source = "db_password", Target = "/run/secrets/a" },
            ],
            SecretEnv = [new SecretEnv { Name = "X", Source = "gone" }, new SecretEnv { Name = "Y", Source = "gone", Optional = true }],
        }));
        var lines = e.Message.Split('\n');
        Assert.Contains("secret not found: nope", lines);
        Assert.Contains(lines, l => l.Contains("invalid secret target \"../escape\""));
        Assert.Contains("secret db_password holds one value: it has no key \"k\"", lines);
        Assert.Contains("couldn't find key password in Secret pets", lines);
        Assert.Contains(lines, l => l.Contains("invalid uid \"root\""));
        Assert.Contains("duplicate secret target for /run/secrets/a not allowed", lines);
        Assert.Contains(lines, l => l.StartsWith("secret not found: gone", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("gone")); // the optional one is fine
    }

    [Fact]
    public void Environment_takes_values_at_start_with_kubernetes_precedence()
    {
        _secrets.Create(SecretKind.Secret, new SecretSpec { Name = "pets", Items = new() { ["USER"] = "from-envfrom"u8.ToArray(), ["PASS"] = "p"u8.ToArray() } });
        _secrets.Create(SecretKind.Secret, new SecretSpec { Name = "token", Data = "t0k"u8.ToArray() });
        var config = new ContainerConfig
        {
            Id = "c1", Name = "c", Image = "bb", ImageId = "sha256:x", Path = "sh", Hostname = "h", HostConfig = new HostConfig(),
            Env = ["USER=literal", "A=1"],
            SecretEnvFrom = [new SecretEnvFrom { Source = "pets", Prefix = "PETS_" }, new SecretEnvFrom { Source = "pets" }],
            SecretEnv = [new SecretEnv { Name = "TOKEN", Source = "token" }, new SecretEnv { Name = "MISSING", Source = "absent", Optional = true }],
        };
        var env = _storage.Environment(config);
        Assert.Contains("PETS_USER=from-envfrom", env);
        Assert.Contains("PETS_PASS=p", env);
        Assert.Contains("USER=literal", env); // env wins over envFrom
        Assert.Contains("TOKEN=t0k", env);
        Assert.DoesNotContain(env, e => e.StartsWith("MISSING=", StringComparison.Ordinal));

        _secrets.Update(SecretKind.Secret, "token", new SecretSpec { Name = "token", Data = "rotated"u8.ToArray() });
        Assert.Contains("TOKEN=rotated", _storage.Environment(config)); // read at each start: rotation by version
    }
}
