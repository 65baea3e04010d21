using System.Text.Json;
using Etcdserverpb;
using GitOps.Cluster.Etcd;
using GitOps.Cluster.Pki;
using Google.Protobuf;
using Grpc.Core;

namespace GitOps.Cluster.Membership;

internal sealed partial class ClusterNode
{
    /// <summary>
    /// gitops cluster init: a new cluster with this node as its first manager — the CAs and the cluster key,
    /// the first etcd member (or the external etcd given to the daemon), RBAC, tokens and this node's record.
    /// Any failure undoes everything: the member is stopped and no file is left.
    /// </summary>
    public async Task<LocalState> InitAsync(string? advertiseAddr, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            RefuseIfMember();
            if (NodeNames.Invalid(Options.NodeName) is { } bad) throw new ClusterException(bad + " (gitops daemon --node-name)");
            var address = NodeNames.AdvertiseAddress(advertiseAddr, null).ToString();
            LocalFiles.RemoveAll(Paths); // what a crashed earlier attempt may have left (there is no state.json)
            var (clusterId, nodeId) = (NodeNames.NewId(), NodeNames.NewId());
            var info = new ClusterInfo { ClusterId = clusterId, CreatedAt = DateTimeOffset.UtcNow, ExternalEtcd = Options.External is not null };
            var endpoints = Options.External?.Endpoints ?? [$"https://{address}:{info.ClientPort}"];
            var state = new LocalState
            {
                ClusterId = clusterId, NodeId = nodeId, NodeName = Options.NodeName, Role = NodeRole.Manager, Address = address,
                EtcdEndpoints = endpoints, ExternalEtcd = info.ExternalEtcd,
                Member = info.ExternalEtcd ? null : new EtcdMemberSettings(nodeId, $"{nodeId}={EtcdMemberArgs.PeerUrl(address, info.PeerPort)}", "new", false),
            };
            try
            {
                var key = ClusterKey.Create();
                using (var ca = ClusterCa.Create(clusterId))
                using (var peerCa = ClusterCa.Create(clusterId + " peer"))
                    WriteManagerFiles(ca, peerCa, key, nodeId, address);
                if (state.Member is { } m) StartMember(state, m);
                using var etcd = Connect(endpoints);
                await WaitForEtcdAsync(etcd, ct);
                if (info.ExternalEtcd && await etcd.GetAsync(Keys.Info, ct: ct) is not null)
                    throw new ClusterException("the external etcd already holds a gitops cluster (/gitops/v1/cluster/info exists): join that cluster instead");
                var access = new EtcdAccess(etcd);
                if (!info.ExternalEtcd)
                {
                    // Before auth is on, any certificate of our CA is all-powerful: users first, then auth.
                    await access.EnableAsync(ct);
                    await access.CreateNodeUserAsync(nodeId, NodeRole.Manager, ct);
                    await access.TurnOnAsync(ct);
                }
                var caPem = File.ReadAllText(Paths.CaCertificate);
                var digest = ClusterCa.DigestOf(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(caPem));
                var record = NewRecord(nodeId, Options.NodeName, NodeRole.Manager, address, NodeResourcesProbe.Detect(), NodeResourcesProbe.EngineLabels(), Options.Version);
                var txn = new TxnRequest
                {
                    Success =
                    {
                        Put(Keys.Info, JsonSerializer.SerializeToUtf8Bytes(info, StoreJson.Default.ClusterInfo)),
                        Put(Keys.CaCertificate, System.Text.Encoding.UTF8.GetBytes(caPem)),
                        Put(Keys.KeyCheck, key.MakeCheck()),
                        Put(Keys.Token(NodeRole.Worker), TokenBytes(key, NodeRole.Worker, JoinToken.Create(digest))),
                        Put(Keys.Token(NodeRole.Manager), TokenBytes(key, NodeRole.Manager, JoinToken.Create(digest))),
                        Put(Keys.Node(nodeId), JsonSerializer.SerializeToUtf8Bytes(record, StoreJson.Default.NodeRecord)),
                        Put(Keys.Name(Options.NodeName), System.Text.Encoding.UTF8.GetBytes(nodeId)),
                    },
                };
                await etcd.TxnAsync(txn, ct);
                if (state.Member is not null && await MemberIdAsync(etcd, address, ct) is { } memberId)
                    await etcd.PutAsync(Keys.Node(nodeId), ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(record with { EtcdMemberId = memberId }, StoreJson.Default.NodeRecord)), ct: ct);
                LocalFiles.WriteState(Paths, state);
            }
            catch (Exception e) when (e is RpcException or ClusterException or IOException or System.Security.Cryptography.CryptographicException)
            {
                await UndoLocalAsync();
                throw e is RpcException r ? new ClusterException($"cluster init failed: etcd: {r.Status.Detail}", 500) : e;
            }
            await ActivateAsync(state, ct);
            Log($"cluster: initialized cluster {clusterId}; this node {Options.NodeName} ({nodeId}) is its first manager, address {address}");
            return state;
        }
        finally { _gate.Release(); }
    }

    void RefuseIfMember()
    {
        var state = State ?? (Paths.IsMember ? LocalFiles.ReadState(Paths) : null);
        if (state is not null)
            throw new ClusterException($"this node is already part of a cluster (node {state.NodeName}, {state.Role.Name()} of cluster {state.ClusterId}): leave it first with gitops cluster leave", 409);
    }

    /// <summary>Undoes a failed init or join on this node: stops the member it started and removes every file.</summary>
    async Task UndoLocalAsync()
    {
        if (Member is not null) await Member.StopAsync(TimeSpan.FromSeconds(10));
        Member = null;
        EtcdSupervisor.StopOrphan(Paths.EtcdDir);
        LocalFiles.RemoveAll(Paths);
    }

    void WriteManagerFiles(ClusterCa ca, ClusterCa peerCa, ClusterKey key, string nodeId, string address)
    {
        using var nodeKey = NodeKeyPair.Create();
        var csr = NodeKeyPair.ParseSigningRequest(NodeKeyPair.SigningRequestPem(nodeKey, Options.NodeName));
        using var nodeCert = ca.Issue(csr, nodeId, Options.NodeName, System.Net.IPAddress.Parse(address), manager: true);
        using var peerCert = peerCa.Issue(csr, nodeId, Options.NodeName, System.Net.IPAddress.Parse(address), manager: true);
        LocalFiles.Write(Paths.CaCertificate, ca.CertificatePem);
        LocalFiles.Write(Paths.CaKey, ca.KeyPem);
        LocalFiles.Write(Paths.PeerCaCertificate, peerCa.CertificatePem);
        LocalFiles.Write(Paths.PeerCaKey, peerCa.KeyPem);
        LocalFiles.Write(Paths.NodeCertificate, nodeCert.ExportCertificatePem());
        LocalFiles.Write(Paths.NodeKey, nodeKey.ExportPkcs8PrivateKeyPem());
        LocalFiles.Write(Paths.PeerCertificate, peerCert.ExportCertificatePem());
        LocalFiles.Write(Paths.PeerKey, nodeKey.ExportPkcs8PrivateKeyPem());
        LocalFiles.Write(Paths.ClusterKey, key.Bytes);
    }

    internal static NodeRecord NewRecord(string id, string name, NodeRole role, string address, NodeResources resources,
        IReadOnlyDictionary<string, string> engineLabels, string version) => new()
    {
        Id = id, Name = name, Role = role, Address = address, Resources = resources, EngineLabels = engineLabels,
        Version = version, JoinedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
    };

    static RequestOp Put(string key, byte[] value) => new() { RequestPut = new PutRequest { Key = EtcdConnection.Bytes(key), Value = ByteString.CopyFrom(value) } };

    internal static byte[] TokenBytes(ClusterKey key, NodeRole role, JoinToken token) =>
        JsonSerializer.SerializeToUtf8Bytes(new TokenRecord(token.SecretHash,
            Convert.ToBase64String(key.Seal(System.Text.Encoding.UTF8.GetBytes(token.Secret), Keys.Token(role))), DateTimeOffset.UtcNow), StoreJson.Default.TokenRecord);

    /// <summary>Waits for a member just started to answer (it needs a few seconds to elect itself or sync).</summary>
    internal static async Task WaitForEtcdAsync(EtcdConnection etcd, CancellationToken ct, TimeSpan? timeout = null)
    {
        var wait = timeout ?? TimeSpan.FromSeconds(60);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                await etcd.Maintenance.StatusAsync(new StatusRequest(), deadline: EtcdConnection.Deadline(TimeSpan.FromSeconds(2)), cancellationToken: ct);
                await etcd.Kv.RangeAsync(new RangeRequest { Key = EtcdConnection.Bytes(Keys.Info), CountOnly = true }, deadline: EtcdConnection.Deadline(TimeSpan.FromSeconds(2)), cancellationToken: ct);
                return;
            }
            catch (RpcException e) when (EtcdConnection.IsPermissionDenied(e)) { throw; }
            // A call whose deadline passes while its connection is still being made can end as a cancelled task
            // rather than DeadlineExceeded (gRPC's retrying call): the same "not yet", not the caller giving up.
            catch (Exception e) when (e is RpcException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                if (DateTime.UtcNow >= deadline)
                    throw new ClusterException($"etcd did not answer within {wait.TotalSeconds:0} s ({(e is RpcException r ? r.Status.Detail : "no connection")}); its log is in the etcd directory under --root", 503);
                await Task.Delay(200, ct);
            }
        }
    }

    /// <summary>The id (hex) of the member that advertises <paramref name="address"/>.</summary>
    internal static async Task<string?> MemberIdAsync(EtcdConnection etcd, string address, CancellationToken ct)
    {
        var members = await etcd.Cluster.MemberListAsync(new MemberListRequest(), deadline: EtcdConnection.Deadline(), cancellationToken: ct);
        var m = members.Members.FirstOrDefault(m => m.PeerURLs.Any(u => new Uri(u).Host == address));
        return m is null ? null : m.ID.ToString("x16");
    }
}
