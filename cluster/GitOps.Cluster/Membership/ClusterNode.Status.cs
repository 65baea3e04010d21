using Etcdserverpb;
using GitOps.Cluster.Api;
using GitOps.Cluster.Etcd;
using Grpc.Core;

namespace GitOps.Cluster.Membership;

internal sealed partial class ClusterNode
{
    static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// gitops cluster status: members and their health, the leader, and whether the store takes writes.
    /// Without quorum etcd refuses writes and linearizable reads; what is shown then comes from serializable
    /// reads of a reachable member (possibly stale), and the status says the cluster is read-only.
    /// </summary>
    public async Task<ClusterStatusView> StatusAsync(CancellationToken ct)
    {
        var state = RequireMember();
        var etcd = Etcd!;
        var writable = await HasQuorumAsync(etcd, ct);
        var members = await MembersAsync(etcd, ct);
        int nodes = 0, ready = 0;
        string? leaderId = null, leaderName = null;
        if (state.Role == NodeRole.Manager)
        {
            try
            {
                var records = await NodeStore.ListAsync(etcd, ct, serializable: !writable);
                var alive = await NodeStore.AliveAsync(etcd, ct, serializable: !writable);
                (nodes, ready) = (records.Count, records.Count(r => alive.Contains(r.Id)));
                leaderId = writable ? await LeaderIdAsync(etcd, false, ct) : null;
                leaderName = records.FirstOrDefault(r => r.Id == leaderId)?.Name;
                members = [.. members.Select(m => m with { Name = records.FirstOrDefault(r => r.Id == m.Name)?.Name ?? m.Name })];
            }
            catch (RpcException) { }
        }
        // Reachable = it answered the probe (it reports its version), even with an error such as "no leader":
        // without quorum a member cut off with this node still answers, and is counted as reachable from here.
        var reachable = members.Count(m => m.Version is not null && !m.IsLearner);
        var voters = members.Count(m => !m.IsLearner);
        var message = writable
            ? $"healthy: etcd has quorum ({reachable} of {voters} members reachable)"
            : $"read-only: etcd has no quorum ({reachable} of {voters} members reachable from this node); nothing can be changed until a majority of managers is back, and nothing running is stopped";
        return new ClusterStatusView
        {
            ClusterID = state.ClusterId, NodeID = state.NodeId, NodeName = state.NodeName, Role = state.Role.Name(), Address = state.Address,
            Leader = leaderName, LeaderID = leaderId, IsLeader = Election?.Current is not null, Writable = writable, Message = message,
            ExternalEtcd = state.ExternalEtcd, Members = members, Nodes = nodes, NodesReady = ready,
        };
    }

    /// <summary>A linearizable read must pass through the raft leader with a quorum behind it.</summary>
    static async Task<bool> HasQuorumAsync(EtcdConnection etcd, CancellationToken ct)
    {
        try
        {
            await etcd.Kv.RangeAsync(new RangeRequest { Key = EtcdConnection.Bytes(Keys.Info), CountOnly = true }, deadline: EtcdConnection.Deadline(ProbeTimeout * 2), cancellationToken: ct);
            return true;
        }
        catch (RpcException) { return false; }
    }

    /// <summary>Every etcd member with its own answer to a status probe (2 s), asked directly at its client URL.</summary>
    async Task<IReadOnlyList<MemberView>> MembersAsync(EtcdConnection etcd, CancellationToken ct)
    {
        if (State?.ExternalEtcd == true)
            return await Task.WhenAll(etcd.Endpoints.Select(e => ProbeAsync(e, e, false, ct)));
        MemberListResponse list;
        try { list = await etcd.Cluster.MemberListAsync(new MemberListRequest(), deadline: EtcdConnection.Deadline(ProbeTimeout * 2), cancellationToken: ct); }
        catch (Exception e) when (e is RpcException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // The shared connection may pick a member that is cut off; a manager's own member answers the member
            // list by itself (no quorum needed), so ask it directly before giving up.
            try
            {
                if (State is not { Member: not null } self) throw;
                using var local = Connect([$"https://{self.Address}:{self.ClientPort}"]);
                list = await local.Cluster.MemberListAsync(new MemberListRequest(), deadline: EtcdConnection.Deadline(ProbeTimeout), cancellationToken: ct);
            }
            catch (Exception again) when (again is RpcException || (again is OperationCanceledException && !ct.IsCancellationRequested))
            {
                return [.. etcd.Endpoints.Select(ep => new MemberView("", "", ep, false, false, false, "unreachable", null))];
            }
        }
        return await Task.WhenAll(list.Members.Select(m => ProbeAsync(m.ID.ToString("x16"), m.Name, m.IsLearner, ct, m.ClientURLs.FirstOrDefault())));
    }

    async Task<MemberView> ProbeAsync(string id, string name, bool learner, CancellationToken ct, string? endpoint = null)
    {
        endpoint ??= id;
        if (endpoint.Length == 0) return new MemberView(id, name, "", false, false, learner, "not started yet", null);
        try
        {
            using var one = Connect([endpoint]);
            var s = await one.Maintenance.StatusAsync(new StatusRequest(), deadline: EtcdConnection.Deadline(ProbeTimeout), cancellationToken: ct);
            var error = s.Errors.Count > 0 ? string.Join("; ", s.Errors) : null;
            // Healthy = it answers for itself; whether the cluster it sees has a leader is what "writable" says.
            return new MemberView(id, name, endpoint, error is null, s.Leader != 0 && s.Leader == s.Header.MemberId, learner, error, s.Version);
        }
        catch (RpcException e) { return new MemberView(id, name, endpoint, false, false, learner, EtcdConnection.IsUnavailable(e) ? "unreachable" : e.Status.Detail, null); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return new MemberView(id, name, endpoint, false, false, learner, "unreachable", null); }
    }
}
