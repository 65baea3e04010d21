using GitOps.Runtime;
using GitOps.Runtime.Images;

namespace GitOps.Runtime.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36")]
    [InlineData("library/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("user/app", "docker.io/user/app:latest", "user/app:latest")]
    [InlineData("localhost:5000/app:v1", "localhost:5000/app:v1", "localhost:5000/app:v1")]
    [InlineData("127.0.0.1:5000/team/app", "127.0.0.1:5000/team/app:latest", "127.0.0.1:5000/team/app:latest")]
    [InlineData("registry.example/x/y/z:1", "registry.example/x/y/z:1", "registry.example/x/y/z:1")]
    public void Normalises_like_docker(string input, string canonical, string familiar)
    {
        var r = ImageReference.Parse(input);
        Assert.Equal(canonical, r.ToString());
        Assert.Equal(familiar, r.Familiar);
    }

    [Fact]
    public void Digest_references_have_no_default_tag()
    {
        var d = "sha256:" + new string('a', 64);
        var r = ImageReference.Parse("busybox@" + d);
        Assert.Null(r.Tag);
        Assert.Equal(d, r.Digest);
        Assert.Equal("busybox@" + d, r.Familiar);
    }

    [Theory]
    [InlineData("Busybox", "must be lowercase")]
    [InlineData("busybox:", "bad tag")]
    [InlineData("busybox@sha256:123", "bad digest")]
    [InlineData("", "empty")]
    [InlineData("a//b", "invalid reference format")]
    public void Rejects_bad_references_saying_why(string input, string reason)
    {
        var e = Assert.Throws<InvalidArgumentException>(() => ImageReference.Parse(input));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Digest_parse_requires_64_lowercase_hex()
    {
        Assert.True(Digest.TryParse("sha256:" + new string('0', 64), out _));
        Assert.False(Digest.TryParse("sha256:" + new string('A', 64), out _));
        Assert.False(Digest.TryParse("md5:" + new string('0', 32), out _));
    }
}
