using System.Net;
using GitOps.Cluster.Etcd;
using GitOps.Cluster.Pki;
using Grpc.Core;

namespace GitOps.Cluster.Membership;

internal sealed partial class ClusterNode
{
    static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Follows this node's own record: a promotion (node promote, run on a manager) makes it fetch manager
    /// credentials and start its etcd member; a demotion makes it stop its member and drop the CA keys. Also
    /// keeps the list of etcd endpoints current, so a restarted daemon finds managers that joined later.
    /// </summary>
    async Task WatchSelfAsync(CancellationToken ct)
    {
        var tick = 0;
        var removedReported = false;
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(WatchInterval, ct); }
            catch (OperationCanceledException) { return; }
            try
            {
                var state = State;
                var etcd = Etcd;
                if (state is null || etcd is null) return;
                var record = await NodeStore.GetAsync(etcd, state.NodeId, ct);
                if (record is null)
                {
                    if (!removedReported) Log("cluster: this node's record is gone (gitops node rm?); it no longer takes part until it joins again");
                    removedReported = true;
                    continue;
                }
                if (record.Role != state.Role)
                {
                    // Role changes run under the gate, beside init/join/leave; not awaited here (they stop this loop).
                    _ = Task.Run(() => ChangeRoleAsync(record.Role, CancellationToken.None), CancellationToken.None);
                    return;
                }
                if (++tick % 15 == 0 && !state.ExternalEtcd) await RefreshEndpointsAsync(etcd, state, ct);
            }
            catch (RpcException) { }
            catch (ClusterException) { }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (OperationCanceledException) { } // a call cancelled at its deadline: look again next second
        }
    }

    async Task RefreshEndpointsAsync(EtcdConnection etcd, LocalState state, CancellationToken ct)
    {
        var endpoints = await NodeStore.ClientEndpointsAsync(etcd, ct);
        if (endpoints.Count == 0 || endpoints.Order().SequenceEqual(state.EtcdEndpoints.Order())) return;
        await _gate.WaitAsync(ct);
        try
        {
            if (State is null || State.NodeId != state.NodeId) return;
            State = State with { EtcdEndpoints = endpoints };
            LocalFiles.WriteState(Paths, State);
        }
        finally { _gate.Release(); }
    }

    async Task ChangeRoleAsync(NodeRole role, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (State is not { } state || state.Role == role) return;
            if (role == NodeRole.Manager) await BecomeManagerAsync(state, ct);
            else await BecomeWorkerAsync(state);
        }
        catch (Exception e) when (e is RpcException or ClusterException or IOException)
        {
            Log($"cluster: could not become {role.Name()}: {e.Message}; retrying");
            // The watcher runs again and retries.
            if (State is not null && _watcher is { IsCompleted: true } && _background is { } bg)
                _watcher = Task.Run(async () => { await Task.Delay(TimeSpan.FromSeconds(2)); await WatchSelfAsync(bg.Token); });
        }
        finally { _gate.Release(); }
    }

    async Task BecomeManagerAsync(LocalState state, CancellationToken ct)
    {
        // A worker may read only its own keys (no node list): the managers it knows are its etcd endpoints, which
        // RefreshEndpointsAsync keeps current, and each of them serves the join API on the cluster's join port.
        var managers = state.EtcdEndpoints.Select(e => new Uri(e).Host).Where(h => h != state.Address && IPAddress.TryParse(h, out _)).Distinct().ToList();
        ClusterException? last = null;
        foreach (var address in managers)
        {
            try
            {
                using var client = new JoinClient(new IPEndPoint(IPAddress.Parse(address), state.JoinPort), NodeCertificate, Ca!.Certificate);
                var answer = await client.PromoteAsync(ct);
                using var nodeKey = System.Security.Cryptography.ECDsa.Create();
                nodeKey.ImportFromPem(File.ReadAllText(Paths.NodeKey));
                // The manager certificate first: the member about to start serves clients with it (serverAuth).
                LocalFiles.Write(Paths.NodeCertificate, answer.NodeCertificate);
                var next = await InstallManagerAsync(state with { Role = NodeRole.Manager }, answer, nodeKey, ct);
                LocalFiles.WriteState(Paths, next);
                await DeactivateAsync(stopMember: false);
                await ActivateAsync(next, ct);
                Log($"cluster: this node is now a manager (etcd member {answer.MemberId ?? "external"})");
                return;
            }
            catch (ClusterException e) { last = e; }
        }
        throw last ?? new ClusterException("no manager to ask for manager credentials", 503);
    }

    async Task BecomeWorkerAsync(LocalState state)
    {
        // The manager that demoted us removed our etcd member; stop ours and drop what only managers hold.
        var member = Member;
        Member = null;
        await DeactivateAsync(stopMember: false);
        if (member is not null) await member.StopAsync(TimeSpan.FromSeconds(10));
        EtcdSupervisor.StopOrphan(Paths.EtcdDir);
        LocalFiles.RemoveManagerMaterial(Paths);
        var next = state with { Role = NodeRole.Worker, Member = null, EtcdEndpoints = [.. state.EtcdEndpoints.Where(e => !e.Contains($"//{state.Address}:", StringComparison.Ordinal))] };
        LocalFiles.WriteState(Paths, next);
        await ActivateAsync(next, CancellationToken.None);
        Log("cluster: this node is now a worker");
    }
}
