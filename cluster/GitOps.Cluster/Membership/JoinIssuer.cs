using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Etcdserverpb;
using GitOps.Cluster.Etcd;
using GitOps.Cluster.Pki;
using Google.Protobuf;
using Grpc.Core;

namespace GitOps.Cluster.Membership;

/// <summary>
/// The manager's side of a join (and of a promotion): checks the token's secret in constant time, the
/// node name's uniqueness and the number of managers, signs the node's certificate, records the node,
/// makes its etcd user, and for a manager adds its etcd member as a learner (a learner does not count
/// toward quorum, so a join that never completes cannot stall the cluster). Every step is undone if a
/// later one fails: a refused join leaves no record, user or member behind.
/// </summary>
internal sealed class JoinIssuer(ClusterNode node)
{
    public const int MaxManagers = 5;

    public async Task<JoinResponse> JoinAsync(JoinRequest request, CancellationToken ct)
    {
        var etcd = node.RequireManager();
        var role = await RoleOfSecretAsync(etcd, request.Secret, ct)
            ?? throw new ClusterException("invalid join token: it matches neither the current worker nor the current manager token of this cluster (was it rotated?)", 403);
        if (NodeNames.Invalid(request.NodeName) is { } bad) throw new ClusterException(bad);
        if (!IPAddress.TryParse(request.Address, out var address)) throw new ClusterException($"invalid advertise address \"{request.Address}\"");
        CertificateRequest csr;
        try { csr = NodeKeyPair.ParseSigningRequest(request.CertificateRequest); }
        catch (System.Security.Cryptography.CryptographicException e) { throw new ClusterException($"invalid certificate request: {e.Message}"); }
        await RefuseTakenNameAsync(etcd, request.NodeName, ct);
        if (role == NodeRole.Manager) await RefuseTooManyManagersAsync(etcd, ct);

        var id = NodeNames.NewId();
        var record = ClusterNode.NewRecord(id, request.NodeName, role, request.Address, request.Resources, request.EngineLabels, request.Version);
        var name = EtcdConnection.Bytes(Keys.Name(request.NodeName));
        var created = await etcd.TxnAsync(new TxnRequest
        {
            Compare = { new Compare { Key = name, Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 0 } },
            Success =
            {
                new RequestOp { RequestPut = new PutRequest { Key = name, Value = ByteString.CopyFromUtf8(id) } },
                new RequestOp { RequestPut = new PutRequest { Key = EtcdConnection.Bytes(Keys.Node(id)), Value = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(record, StoreJson.Default.NodeRecord)) } },
            },
        }, ct);
        if (!created.Succeeded) throw new ClusterException($"node name \"{request.NodeName}\" is already taken by another node", 409);
        var access = new EtcdAccess(etcd);
        try
        {
            await access.CreateNodeUserAsync(id, role, ct);
            using var cert = node.Ca!.Issue(csr, id, request.NodeName, address, role == NodeRole.Manager);
            return await ResponseAsync(etcd, record, cert, ct);
        }
        catch (Exception e) when (e is RpcException or ClusterException)
        {
            await RemoveNodeAsync(etcd, id, request.NodeName, memberId: null);
            throw e is RpcException r ? new ClusterException($"join failed: etcd: {r.Status.Detail}", 500) : e;
        }
    }

    /// <summary>
    /// A worker a manager promoted (node promote) asks for what a manager holds, authenticated by its own
    /// certificate: it gets a manager certificate for the same key, the CA keys and its etcd member.
    /// </summary>
    public async Task<JoinResponse> PromoteAsync(X509Certificate2 clientCertificate, CancellationToken ct)
    {
        var etcd = node.RequireManager();
        if (!node.Ca!.Validates(clientCertificate, requireServerAuth: false))
            throw new ClusterException("the client certificate was not issued by this cluster", 403);
        var id = ClusterCa.NodeIdOf(clientCertificate);
        var record = await NodeStore.GetAsync(etcd, id, ct) ?? throw new ClusterException($"node {id} is not part of this cluster", 403);
        if (record.Role != NodeRole.Manager) throw new ClusterException($"node {record.Name} has not been promoted (gitops node promote {record.Name})", 403);
        var csr = new CertificateRequest(clientCertificate.SubjectName, clientCertificate.PublicKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var cert = node.Ca.Issue(csr, id, record.Name, IPAddress.Parse(record.Address), manager: true);
        await new EtcdAccess(etcd).SetManagerAsync(id, true, ct);
        return await ResponseAsync(etcd, record, cert, ct);
    }

    async Task<JoinResponse> ResponseAsync(EtcdConnection etcd, NodeRecord record, X509Certificate2 cert, CancellationToken ct)
    {
        var state = node.State!;
        var info = await NodeStore.InfoAsync(etcd, ct);
        string? initialCluster = null, memberId = null;
        if (record.Role == NodeRole.Manager && !info.ExternalEtcd)
        {
            var peerUrl = EtcdMemberArgs.PeerUrl(record.Address, info.PeerPort);
            var list = await etcd.Cluster.MemberListAsync(new MemberListRequest(), deadline: EtcdConnection.Deadline(), cancellationToken: ct);
            var existing = list.Members.FirstOrDefault(m => m.PeerURLs.Contains(peerUrl));
            // A promotion retried after a failed attempt finds its learner already added.
            var add = existing is null
                ? await AddLearnerAsync(etcd, peerUrl, ct)
                : existing;
            list = await etcd.Cluster.MemberListAsync(new MemberListRequest(), deadline: EtcdConnection.Deadline(), cancellationToken: ct);
            memberId = add.ID.ToString("x16");
            initialCluster = string.Join(',', list.Members.Select(m =>
                (m.ID == add.ID ? record.Id : m.Name.Length > 0 ? m.Name : m.ID.ToString("x16")) + "=" + m.PeerURLs[0]));
            await NodeStore.PutAsync(etcd, record with { EtcdMemberId = memberId }, ct);
        }
        return new JoinResponse
        {
            ClusterId = state.ClusterId, NodeId = record.Id, Role = record.Role,
            CaCertificate = node.Ca!.CertificatePem, NodeCertificate = cert.ExportCertificatePem(),
            ClusterKey = Convert.ToBase64String(node.Key!.Bytes), EtcdEndpoints = await NodeStore.ClientEndpointsAsync(etcd, ct), Info = info,
            CaKey = record.Role == NodeRole.Manager ? node.Ca.KeyPem : null,
            PeerCaCertificate = record.Role == NodeRole.Manager ? node.PeerCa?.CertificatePem : null,
            PeerCaKey = record.Role == NodeRole.Manager ? node.PeerCa?.KeyPem : null,
            InitialCluster = initialCluster, MemberId = memberId,
        };
    }

    /// <summary>
    /// Adds the learner, waiting while etcd refuses for a passing reason: right after another manager joined, etcd
    /// calls the cluster unhealthy until that member is connected, and allows one learner at a time until it is
    /// promoted. Joining managers one after the other (as an operator or a script does) must not fail on that.
    /// </summary>
    static async Task<Member> AddLearnerAsync(EtcdConnection etcd, string peerUrl, CancellationToken ct)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        for (var delay = TimeSpan.FromMilliseconds(200); ; delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 3000)))
        {
            try
            {
                return (await etcd.Cluster.MemberAddAsync(new MemberAddRequest { PeerURLs = { peerUrl }, IsLearner = true }, deadline: EtcdConnection.Deadline(), cancellationToken: ct)).Member;
            }
            catch (RpcException e) when (DateTime.UtcNow < until
                && (e.Status.Detail.Contains("unhealthy cluster", StringComparison.Ordinal) || e.Status.Detail.Contains("too many learner", StringComparison.Ordinal)))
            {
                await Task.Delay(delay, ct);
            }
        }
    }

    static async Task<NodeRole?> RoleOfSecretAsync(EtcdConnection etcd, string secret, CancellationToken ct)
    {
        NodeRole? found = null;
        // Both are always compared, so timing says nothing about which role a wrong secret was near.
        foreach (var role in new[] { NodeRole.Worker, NodeRole.Manager })
        {
            var kv = await etcd.GetAsync(Keys.Token(role), ct: ct);
            var record = kv is null ? null : JsonSerializer.Deserialize(kv.Value.Span, StoreJson.Default.TokenRecord);
            if (record is not null && JoinToken.SecretMatches(secret, record.Sha256)) found = role;
        }
        return found;
    }

    static async Task RefuseTakenNameAsync(EtcdConnection etcd, string name, CancellationToken ct)
    {
        if (await etcd.GetAsync(Keys.Name(name), ct: ct) is not { } taken) return;
        var id = taken.Value.ToStringUtf8();
        var alive = await etcd.GetAsync(Keys.AliveKey(id), ct: ct) is not null;
        throw new ClusterException($"node name \"{name}\" is already taken by node {id} ({(alive ? "ready" : "down")}): start this daemon with another --node-name" +
            (alive ? "" : $", or remove the old node first (gitops node rm {name})"), 409);
    }

    static async Task RefuseTooManyManagersAsync(EtcdConnection etcd, CancellationToken ct)
    {
        var managers = (await NodeStore.ListAsync(etcd, ct)).Count(n => n.Role == NodeRole.Manager);
        if (managers >= MaxManagers)
            throw new ClusterException($"the cluster already has {managers} managers, the most it supports (etcd's quorum grows slower with each); join as a worker", 409);
    }

    /// <summary>Removes a node's traces from the store: record, name, heartbeat, user and role, and its etcd member.</summary>
    internal static async Task RemoveNodeAsync(EtcdConnection etcd, string id, string name, string? memberId)
    {
        try
        {
            if (memberId is not null)
                await etcd.Cluster.MemberRemoveAsync(new MemberRemoveRequest { ID = Convert.ToUInt64(memberId, 16) }, deadline: EtcdConnection.Deadline());
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound || e.Status.Detail.Contains("not found", StringComparison.Ordinal)) { }
        await etcd.TxnAsync(new TxnRequest
        {
            Success =
            {
                new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = EtcdConnection.Bytes(Keys.Node(id)) } },
                new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = EtcdConnection.Bytes(Keys.AliveKey(id)) } },
            },
        });
        // The name only if it still points at this node.
        var n = EtcdConnection.Bytes(Keys.Name(name));
        await etcd.TxnAsync(new TxnRequest
        {
            Compare = { new Compare { Key = n, Target = Compare.Types.CompareTarget.Value, Result = Compare.Types.CompareResult.Equal, Value = ByteString.CopyFromUtf8(id) } },
            Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = n } } },
        });
        await new EtcdAccess(etcd).DeleteNodeUserAsync(id, default);
    }
}
