using Etcdserverpb;
using GitOps.Cluster.Etcd;
using Grpc.Core;

namespace GitOps.Cluster.Membership;

internal sealed partial class ClusterNode
{
    /// <summary>
    /// gitops cluster leave: a worker stops its heartbeat (it shows Down, as in Docker, until node rm) and
    /// forgets the cluster. A manager needs --force (it costs the cluster a member): its etcd member is
    /// removed first while quorum allows, its record becomes a worker's so that node rm can clear it, then
    /// its member stops and its data goes. The last manager leaving ends the cluster.
    /// </summary>
    public async Task<string> LeaveAsync(bool force, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var state = State ?? throw new ClusterException("this node is not part of a cluster", 409);
            var note = "";
            if (state.Role == NodeRole.Manager)
            {
                if (!force)
                    throw new ClusterException("this node is a manager: leaving removes its etcd member and lowers the cluster's fault tolerance; demote it first (gitops node demote " +
                        state.NodeName + " on another manager), or use --force", 409);
                note = await LeaveAsManagerAsync(state, ct);
            }
            await DeactivateAsync(stopMember: true);
            EtcdSupervisor.StopOrphan(Paths.EtcdDir);
            LocalFiles.RemoveAll(Paths);
            Log($"cluster: left cluster {state.ClusterId}{note}");
            return $"Node left the cluster.{note}";
        }
        finally { _gate.Release(); }
    }

    async Task<string> LeaveAsManagerAsync(LocalState state, CancellationToken ct)
    {
        var etcd = Etcd!;
        try
        {
            var managers = (await NodeStore.ListAsync(etcd, ct)).Where(n => n.Role == NodeRole.Manager).ToList();
            if (managers.All(m => m.Id == state.NodeId)) return " It was the last manager: the cluster is gone.";
            // Member first (it needs the root role this node is about to give up); the others keep serving us meanwhile.
            if (!state.ExternalEtcd && await MemberIdAsync(etcd, state.Address, ct) is { } id)
                await etcd.Cluster.MemberRemoveAsync(new MemberRemoveRequest { ID = Convert.ToUInt64(id, 16) }, deadline: EtcdConnection.Deadline(), cancellationToken: ct);
            if (await NodeStore.GetAsync(etcd, state.NodeId, ct) is { } me)
                await NodeStore.PutAsync(etcd, me with { Role = NodeRole.Worker, EtcdMemberId = null }, ct);
            await new EtcdAccess(etcd).SetManagerAsync(state.NodeId, false, ct);
            return "";
        }
        catch (RpcException e)
        {
            // --force: leave all the same; the others must remove the member (node demote) once they have quorum.
            return $" Its etcd member could not be removed ({e.Status.Detail}): demote it from a manager once the cluster has quorum.";
        }
    }
}
