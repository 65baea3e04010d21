using GitOps.Runtime.Networking;
using Xunit;

namespace GitOps.Runtime.Tests.Networking;

/// <summary>--dns, --dns-search and --dns-option over a container's base resolv.conf, and the cluster domain the embedded DNS answers.</summary>
public sealed class ResolvConfTests
{
    const string Embedded = "nameserver 127.0.0.11\nsearch example.org\noptions ndots:0\n";

    [Fact]
    public void NoSettingsKeepTheBaseAsItIs() =>
        Assert.Equal(Embedded, ResolvConf.Compose(Embedded, [], [], [], embedded: true));

    [Fact]
    public void SearchReplacesTheBaseAndOptionsReplaceThoseOfTheSameName()
    {
        var conf = ResolvConf.Compose(Embedded, ["10.0.0.2"], ["shop.svc.cluster.local", "svc.cluster.local"], ["ndots:5", "timeout:2"], embedded: true);
        Assert.Equal("nameserver 127.0.0.11\nsearch shop.svc.cluster.local svc.cluster.local\noptions ndots:5 timeout:2\n", conf);
    }

    [Fact]
    public void WithoutTheEmbeddedDnsGivenNameserversReplaceTheHosts()
    {
        var conf = ResolvConf.Compose("# host\nnameserver 192.0.2.1\nnameserver 192.0.2.2\nsearch lan\n", ["10.0.0.2"], [], [], embedded: false);
        Assert.Equal("nameserver 10.0.0.2\nsearch lan\n", conf);
    }

    [Theory]
    [InlineData("db.shop.svc.cluster.local", "db.shop")]
    [InlineData("DB.SVC.CLUSTER.LOCAL", "DB")]
    [InlineData("10-0-0-1.shop.pod.cluster.local", "")]
    [InlineData("cluster.local", "")]
    [InlineData("db.shop", null)]
    [InlineData("example.com", null)]
    public void TheClusterDomainIsRecognised(string name, string? inner) => Assert.Equal(inner, DnsServer.ClusterName(name));

    [Fact]
    public void TheEmbeddedDnsForwardsToTheContainersOwnNameserversWhenItHasThem()
    {
        Assert.Null(DnsServer.Upstreams([]));
        Assert.Null(DnsServer.Upstreams(null));
        Assert.Equal(["192.0.2.53:53", "10.0.0.2:53"], DnsServer.Upstreams(["192.0.2.53", "fe80::1", "10.0.0.2"])!.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("corp.example", true)]
    [InlineData("svc.cluster.local.", true)]
    [InlineData(".", true)]
    [InlineData("a b", false)]
    [InlineData("-bad-", false)]
    [InlineData("x\nnameserver 1.2.3.4", false)]
    public void SearchDomainsAreDomainNames(string domain, bool valid) => Assert.Equal(valid, ResolvConfSyntax.IsSearchDomain(domain));

    [Theory]
    [InlineData("ndots:5", true)]
    [InlineData("use-vc", true)]
    [InlineData("ndots:5 rotate", false)]
    [InlineData("", false)]
    public void AnOptionIsOneWord(string option, bool valid) => Assert.Equal(valid, ResolvConfSyntax.IsOption(option));
}
