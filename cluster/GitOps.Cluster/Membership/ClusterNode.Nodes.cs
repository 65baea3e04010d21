using Etcdserverpb;
using GitOps.Cluster.Api;
using GitOps.Cluster.Etcd;
using Grpc.Core;

namespace GitOps.Cluster.Membership;

internal sealed partial class ClusterNode
{
    /// <summary>gitops node ls: every node with its heartbeat state, availability and manager status.</summary>
    public async Task<IReadOnlyList<NodeView>> ListNodesAsync(CancellationToken ct)
    {
        var etcd = RequireManager();
        var (records, alive, leader, members) = await SnapshotAsync(etcd, ct);
        return [.. records.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => View(r, alive, leader, members))];
    }

    public async Task<NodeView> InspectNodeAsync(string idOrName, CancellationToken ct)
    {
        var etcd = RequireManager();
        var record = await NodeStore.FindAsync(etcd, idOrName, ct);
        var (_, alive, leader, members) = await SnapshotAsync(etcd, ct);
        return View(record, alive, leader, members);
    }

    async Task<(IReadOnlyList<NodeRecord>, IReadOnlySet<string>, string?, IReadOnlyList<MemberView>)> SnapshotAsync(EtcdConnection etcd, CancellationToken ct)
    {
        var records = NodeStore.ListAsync(etcd, ct);
        var alive = NodeStore.AliveAsync(etcd, ct);
        var leader = LeaderIdAsync(etcd, serializable: false, ct);
        var members = MembersAsync(etcd, ct);
        return (await records, await alive, await leader, await members);
    }

    static NodeView View(NodeRecord r, IReadOnlySet<string> alive, string? leader, IReadOnlyList<MemberView> members) => new()
    {
        ID = r.Id, Hostname = r.Name, Role = r.Role.Name(), Status = alive.Contains(r.Id) ? "Ready" : "Down",
        Availability = Capitalize(r.Availability.Name()),
        ManagerStatus = r.Role != NodeRole.Manager ? ""
            : r.Id == leader ? "Leader"
            : members.Any(m => m.Name == r.Id && m.Healthy) || (r.EtcdMemberId is null && alive.Contains(r.Id)) ? "Reachable" : "Unreachable",
        EngineVersion = r.Version, Address = r.Address, Labels = r.Labels, EngineLabels = r.EngineLabels,
        Taints = [.. r.Taints.Select(t => t.ToString())], NanoCPUs = r.Resources.NanoCpus, MemoryBytes = r.Resources.MemoryBytes,
        CreatedAt = r.JoinedAt, UpdatedAt = r.UpdatedAt, EtcdMemberID = r.EtcdMemberId,
    };

    static string Capitalize(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    static async Task<string?> LeaderIdAsync(EtcdConnection etcd, bool serializable, CancellationToken ct)
    {
        try { return (await new Election.LeaderElection(etcd, Keys.Election).LeaderAsync(serializable, ct))?.Candidate; }
        catch (RpcException) { return null; }
    }

    /// <summary>gitops node update: labels, availability and taints, all checked before one write.</summary>
    public async Task<NodeView> UpdateNodeAsync(string idOrName, NodeUpdateRequest update, CancellationToken ct)
    {
        var etcd = RequireManager();
        var record = await NodeStore.FindAsync(etcd, idOrName, ct);
        var errors = new List<string>();
        var labels = new Dictionary<string, string>(record.Labels);
        foreach (var l in update.LabelAdd)
        {
            var eq = l.IndexOf('=');
            var key = eq < 0 ? l : l[..eq];
            if (key.Length == 0) errors.Add($"invalid label \"{l}\": expected KEY or KEY=VALUE");
            else labels[key] = eq < 0 ? "" : l[(eq + 1)..];
        }
        foreach (var key in update.LabelRm)
            if (!labels.Remove(key)) errors.Add($"label \"{key}\" is not set on node {record.Name}");
        var availability = record.Availability;
        if (update.Availability is { } a && !NodeEnums.TryParseAvailability(a, out availability))
            errors.Add($"invalid availability \"{a}\": expected active, pause or drain");
        var taints = record.Taints.ToList();
        foreach (var t in update.TaintAdd)
        {
            if (!Taint.TryParse(t, out var taint, out var error)) { errors.Add(error); continue; }
            taints.RemoveAll(x => x.Key == taint.Key && x.Effect == taint.Effect);
            taints.Add(taint);
        }
        foreach (var t in update.TaintRm)
        {
            // KEY, KEY:EFFECT or KEY=VALUE:EFFECT, as kubectl taint KEY-.
            var colon = t.LastIndexOf(':');
            var keyPart = colon < 0 ? t : t[..colon];
            var effect = colon < 0 ? null : t[(colon + 1)..];
            var key = keyPart.Split('=')[0];
            if (taints.RemoveAll(x => x.Key == key && (effect is null || x.Effect == effect)) == 0)
                errors.Add($"taint \"{t}\" is not set on node {record.Name}");
        }
        if (errors.Count > 0) throw new ClusterException(string.Join("; ", errors));
        var updated = record with { Labels = labels, Availability = availability, Taints = taints };
        await NodeStore.PutAsync(etcd, updated, ct);
        return await InspectNodeAsync(record.Id, ct);
    }

    /// <summary>gitops node rm: a worker that is down (or any worker with --force); managers must be demoted first.</summary>
    public async Task<string> RemoveNodeAsync(string idOrName, bool force, CancellationToken ct)
    {
        var etcd = RequireManager();
        var record = await NodeStore.FindAsync(etcd, idOrName, ct);
        if (record.Id == State!.NodeId) throw new ClusterException("cannot remove this node from itself: use gitops cluster leave on it", 409);
        if (record.Role == NodeRole.Manager)
            throw new ClusterException($"node {record.Name} is a manager: demote it first (gitops node demote {record.Name})", 409);
        if (!force && (await NodeStore.AliveAsync(etcd, ct)).Contains(record.Id))
            throw new ClusterException($"node {record.Name} is not down and can't be removed: stop it or have it leave (gitops cluster leave), or use --force", 409);
        await JoinIssuer.RemoveNodeAsync(etcd, record.Id, record.Name, memberId: null);
        return record.Id;
    }

    /// <summary>gitops node promote: the node sees the change and fetches manager credentials and its etcd member (see WatchSelfAsync).</summary>
    public async Task<string> PromoteNodeAsync(string idOrName, CancellationToken ct)
    {
        var etcd = RequireManager();
        var record = await NodeStore.FindAsync(etcd, idOrName, ct);
        if (record.Role == NodeRole.Manager) return $"Node {record.Name} is already a manager.";
        var managers = (await NodeStore.ListAsync(etcd, ct)).Count(n => n.Role == NodeRole.Manager);
        if (managers >= JoinIssuer.MaxManagers)
            throw new ClusterException($"the cluster already has {managers} managers, the most it supports", 409);
        if (!(await NodeStore.AliveAsync(etcd, ct)).Contains(record.Id))
            throw new ClusterException($"node {record.Name} is down: a promotion adds an etcd member that must start on it", 409);
        await NodeStore.PutAsync(etcd, record with { Role = NodeRole.Manager }, ct);
        return $"Node {record.Name} promoted to a manager in the cluster.";
    }

    /// <summary>gitops node demote: its etcd member is removed now (etcd refuses if that would cost quorum); the node drops its manager material.</summary>
    public async Task<string> DemoteNodeAsync(string idOrName, CancellationToken ct)
    {
        var etcd = RequireManager();
        var record = await NodeStore.FindAsync(etcd, idOrName, ct);
        if (record.Role == NodeRole.Worker) return $"Node {record.Name} is already a worker.";
        var managers = (await NodeStore.ListAsync(etcd, ct)).Count(n => n.Role == NodeRole.Manager);
        if (managers <= 1) throw new ClusterException($"cannot demote the last manager of the cluster ({record.Name})", 409);
        var info = await NodeStore.InfoAsync(etcd, ct);
        if (!info.ExternalEtcd && await MemberIdAsync(etcd, record.Address, ct) is { } memberId)
        {
            try
            {
                await etcd.Cluster.MemberRemoveAsync(new MemberRemoveRequest { ID = Convert.ToUInt64(memberId, 16) }, deadline: EtcdConnection.Deadline(), cancellationToken: ct);
            }
            catch (RpcException e)
            {
                throw new ClusterException($"cannot demote {record.Name}: etcd refused to remove its member ({e.Status.Detail})", 409);
            }
        }
        await NodeStore.PutAsync(etcd, record with { Role = NodeRole.Worker, EtcdMemberId = null }, ct);
        await new EtcdAccess(etcd).SetManagerAsync(record.Id, false, ct);
        return $"Manager {record.Name} demoted in the cluster.";
    }
}
