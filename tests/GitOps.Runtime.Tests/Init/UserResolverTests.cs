using GitOps.Runtime.Init;

namespace GitOps.Runtime.Tests.Init;

public sealed class UserResolverTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("users-").FullName;
    readonly string _passwd, _group;

    public UserResolverTests()
    {
        _passwd = Path.Combine(_dir, "passwd");
        _group = Path.Combine(_dir, "group");
        File.WriteAllText(_passwd, "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
        File.WriteAllText(_group, "root:x:0:\nuser:x:1000:\nwheel:x:10:user,other\naudio:x:29:user\n");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Empty_user_is_root_with_roots_home()
    {
        var u = UserResolver.Resolve("", _passwd, _group);
        Assert.Equal((0u, 0u, "/root"), (u.Uid, u.Gid, u.Home));
    }

    [Fact]
    public void Name_resolves_ids_home_and_supplementary_groups()
    {
        var u = UserResolver.Resolve("user", _passwd, _group);
        Assert.Equal((1000u, 1000u, "/home/user"), (u.Uid, u.Gid, u.Home));
        Assert.Equal([1000u, 10u, 29u], u.AdditionalGids);
    }

    [Fact]
    public void Numeric_ids_need_no_entry()
    {
        var u = UserResolver.Resolve("4242:77", _passwd, _group);
        Assert.Equal((4242u, 77u, "/"), (u.Uid, u.Gid, u.Home));
        Assert.Equal((4242u, 0u), (UserResolver.Resolve("4242", _passwd, _group).Uid, UserResolver.Resolve("4242", _passwd, _group).Gid));
    }

    [Fact]
    public void Explicit_group_replaces_supplementary_groups()
    {
        var u = UserResolver.Resolve("user:wheel", _passwd, _group);
        Assert.Equal(10u, u.Gid);
        Assert.Equal([10u], u.AdditionalGids);
    }

    [Fact]
    public void Unknown_names_fail_like_runc()
    {
        var e = Assert.Throws<InitException>(() => UserResolver.Resolve("nobody", _passwd, _group));
        Assert.Equal("unable to find user nobody: no matching entries in passwd file", e.Message);
        Assert.Throws<InitException>(() => UserResolver.Resolve("user:nogroup", _passwd, _group));
    }
}
