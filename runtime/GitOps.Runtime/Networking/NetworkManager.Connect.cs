using GitOps.Runtime.Containers;
using GitOps.Runtime.Linux;
using GitOps.Runtime.Linux.Netlink;

namespace GitOps.Runtime.Networking;

public sealed partial class NetworkManager
{
    /// <summary>docker network connect for a running container: a new ethN in its namespace.</summary>
    public void Connect(ContainerConfig config, int pid, NetworkConfig network, EndpointRequest request)
    {
        Attachment a;
        lock (_attachGate)
        {
            if (!_attached.TryGetValue(config.Id, out var found))
                throw new ConflictException($"container {config.Name} has no network to connect from (its network mode is {config.HostConfig.NetworkMode})");
            a = found;
            if (a.State.Endpoints.Any(e => e.NetworkId == network.Id))
                throw new ConflictException($"endpoint with name {config.Name} already exists in network {network.Name}");
        }
        if (network.IsDefault && request.Aliases.Count > 0)
            throw new InvalidArgumentException("network-scoped alias is supported only for containers in user defined networks");
        using var netns = Sys.Open($"/proc/{pid}/ns/net", Sys.O_RDONLY);
        using var rt = RtNetlink.Open();
        using var inside = RtNetlink.OpenIn(netns);
        var index = Enumerable.Range(0, 10).First(i => a.State.Endpoints.All(e => e.ContainerInterface != $"eth{i}"));
        var endpoint = Plug(rt, inside, netns, network, config.Id, index, request, defaultRoute: false);
        lock (_attachGate) a.State = a.State with { Endpoints = [.. a.State.Endpoints, endpoint] };
        if (network.Dns) _dns.Attach(config.Id, netns, config.HostConfig.Dns);
        Save(a);
        if (IsRouterBackend(config)) ApplyRules();
        Publish("connect", network, config.Id);
    }

    public void Disconnect(ContainerConfig config, NetworkConfig network)
    {
        Attachment? a;
        Endpoint? endpoint;
        lock (_attachGate)
        {
            if (!_attached.TryGetValue(config.Id, out a)) return;
            endpoint = a.State.Endpoints.FirstOrDefault(e => e.NetworkId == network.Id);
            if (endpoint is null) throw new ConflictException($"container {config.Name} is not connected to network {network.Name}");
            a.State = a.State with { Endpoints = a.State.Endpoints.Where(e => e != endpoint).ToList() };
        }
        Ipam(network.Id).Release(System.Net.IPAddress.Parse(endpoint.IPAddress));
        using (var rt = RtNetlink.Open()) rt.TryDeleteLink(endpoint.HostInterface);
        if (!a.State.Endpoints.Any(e => Find(e.NetworkId)?.Dns == true)) _dns.Detach(config.Id);
        Save(a);
        ApplyRules();
        Publish("disconnect", network, config.Id);
    }
}
