using GitOps.Reconciler.Reconcile;
using Xunit;

namespace GitOps.Reconciler.Tests.Reconcile;

/// <summary>A replica's resolver settings reach the engine request of the container that owns its network namespace.</summary>
public sealed class DnsSettingsTests
{
    static IReadOnlyList<Runtime.Containers.CreateRequest> Requests(string file, string text)
    {
        var result = Load.Yaml(file, text);
        Load.AssertValid(result, file);
        var app = Compiler.Compile("a", "a", "0123456789abcdef0123456789abcdef01234567", result.Application!);
        return [.. Compiler.Replica(app, app.Services.Single(), 1).Select(GitOps.Reconciler.Ports.Local.ContainerRequests.Build)];
    }

    [Fact]
    public void ComposeDnsDnsSearchAndDnsOptArePassedAsWritten()
    {
        var h = Requests("compose.yaml", "services:\n  web:\n    image: bb\n    dns: [192.0.2.53]\n    dns_search: corp.example\n    dns_opt: [use-vc, 'timeout:2']\n").Single().HostConfig;
        Assert.Equal(["192.0.2.53"], h.Dns);
        Assert.Equal(["corp.example"], h.DnsSearch);
        Assert.Equal(["use-vc", "timeout:2"], h.DnsOptions);
    }

    [Fact]
    public void APodsFirstContainerCarriesItsDnsAndTheOthersShareIt()
    {
        var requests = Requests("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n" +
            "  dnsConfig: {nameservers: [192.0.2.53]}\n  containers: [{name: a, image: bb}, {name: b, image: bb}]\n");
        Assert.Equal(["192.0.2.53"], requests[0].HostConfig.Dns);
        Assert.Equal(["shop.svc.cluster.local", "svc.cluster.local", "cluster.local"], requests[0].HostConfig.DnsSearch);
        Assert.Equal(["ndots:5"], requests[0].HostConfig.DnsOptions);
        Assert.Empty(requests[1].HostConfig.DnsSearch);
    }

    [Fact]
    public void ResolverValuesThatCannotBeALineOfResolvConfFailAtTheirLine()
    {
        var compose = Load.Yaml("compose.yaml", "services:\n  web:\n    image: bb\n    dns: [192.0.2.53, dns.example]\n    dns_search: [\"a b\"]\n    dns_opt: [\"ndots:1 rotate\"]\n");
        Assert.Equal([(4, "compose.dns"), (5, "compose.dns"), (6, "compose.dns")], compose.Errors.Select(e => (e.Line, e.Code)).OrderBy(x => x.Line));
        Assert.Contains("expected an IP address, got \"dns.example\"", compose.Errors.First().Message);
        var pod = Load.Yaml("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  dnsConfig:\n    nameservers: [not-an-ip]\n    searches: [-bad-]\n    options: [{value: \"1\"}]\n  containers: [{name: c, image: bb}]\n");
        Assert.Equal([6, 7, 8], pod.Errors.Select(e => e.Line).Order());
    }
}
