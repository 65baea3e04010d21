using System.Net;
using Etcdserverpb;
using GitOps.Cluster.Etcd;
using GitOps.Cluster.Pki;
using Grpc.Core;

namespace GitOps.Cluster.Membership;

internal sealed partial class ClusterNode
{
    /// <summary>
    /// gitops cluster join: admitted by a manager (see <see cref="JoinIssuer"/>), this node writes its
    /// credentials and, joining as a manager, starts its etcd member as a learner and promotes it once in
    /// sync. A failure leaves nothing here, and (for a manager, which can) nothing in the cluster either.
    /// </summary>
    public async Task<LocalState> JoinAsync(string tokenText, string managerAddress, string? advertiseAddr, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            RefuseIfMember();
            if (!JoinToken.TryParse(tokenText, out var token, out var tokenError)) throw new ClusterException(tokenError);
            if (NodeNames.Invalid(Options.NodeName) is { } bad) throw new ClusterException(bad + " (gitops daemon --node-name)");
            if (Options.External is not null)
                throw new ClusterException("a node joins with its daemon's own etcd credentials only when the cluster's etcd is external; start the daemon without --etcd-endpoints, or use gitops cluster init against that etcd", 400);
            var manager = NodeNames.ManagerEndpoint(managerAddress);
            var address = NodeNames.AdvertiseAddress(advertiseAddr, manager.Address).ToString();
            LocalFiles.RemoveAll(Paths);
            using var nodeKey = NodeKeyPair.Create();
            using var client = new JoinClient(manager);
            await client.PinCaAsync(token.CaDigest, ct);
            var answer = await client.JoinAsync(new JoinRequest
            {
                Secret = token.Secret, NodeName = Options.NodeName, Address = address,
                CertificateRequest = NodeKeyPair.SigningRequestPem(nodeKey, Options.NodeName),
                Resources = NodeResourcesProbe.Detect(), EngineLabels = NodeResourcesProbe.EngineLabels(), Version = Options.Version,
            }, ct);
            LocalState state;
            try { state = await InstallAsync(answer, nodeKey, address, ct); }
            catch (Exception e) when (e is RpcException or ClusterException or IOException or System.Security.Cryptography.CryptographicException)
            {
                await UndoJoinAsync(answer);
                throw e is RpcException r ? new ClusterException($"join failed: etcd: {r.Status.Detail}", 500) : e;
            }
            await ActivateAsync(state, ct);
            Log($"cluster: joined cluster {state.ClusterId} as {state.Role.Name()} {state.NodeName} ({state.NodeId}), address {address}");
            return state;
        }
        finally { _gate.Release(); }
    }

    /// <summary>Writes what the manager sent; for a manager, starts the member and waits until it votes.</summary>
    async Task<LocalState> InstallAsync(JoinResponse answer, System.Security.Cryptography.ECDsa nodeKey, string address, CancellationToken ct)
    {
        LocalFiles.Write(Paths.CaCertificate, answer.CaCertificate);
        LocalFiles.Write(Paths.NodeCertificate, answer.NodeCertificate);
        LocalFiles.Write(Paths.NodeKey, nodeKey.ExportPkcs8PrivateKeyPem());
        LocalFiles.Write(Paths.ClusterKey, Convert.FromBase64String(answer.ClusterKey));
        var state = new LocalState
        {
            ClusterId = answer.ClusterId, NodeId = answer.NodeId, NodeName = Options.NodeName, Role = answer.Role, Address = address,
            JoinPort = answer.Info.JoinPort, ClientPort = answer.Info.ClientPort, PeerPort = answer.Info.PeerPort,
            EtcdEndpoints = answer.EtcdEndpoints, ExternalEtcd = answer.Info.ExternalEtcd,
        };
        if (answer.Role == NodeRole.Manager) state = await InstallManagerAsync(state, answer, nodeKey, ct);
        else
        {
            // Proves the credentials work before calling this node a member.
            using var etcd = Connect(state.EtcdEndpoints);
            _ = await NodeStore.GetAsync(etcd, state.NodeId, ct) ?? throw new ClusterException("joined, but this node's record is not readable with its new credentials", 500);
        }
        LocalFiles.WriteState(Paths, state);
        return state;
    }

    async Task<LocalState> InstallManagerAsync(LocalState state, JoinResponse answer, System.Security.Cryptography.ECDsa nodeKey, CancellationToken ct)
    {
        LocalFiles.Write(Paths.CaKey, answer.CaKey ?? throw new ClusterException("the manager sent no CA key", 502));
        if (answer.PeerCaCertificate is { } peerCaPem && answer.PeerCaKey is { } peerCaKey)
        {
            LocalFiles.Write(Paths.PeerCaCertificate, peerCaPem);
            LocalFiles.Write(Paths.PeerCaKey, peerCaKey);
            using var peerCa = ClusterCa.Load(peerCaPem, peerCaKey);
            var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN={state.NodeId}", nodeKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var peerCert = peerCa.Issue(csr, state.NodeId, state.NodeName, IPAddress.Parse(state.Address), manager: true);
            LocalFiles.Write(Paths.PeerCertificate, peerCert.ExportCertificatePem());
            LocalFiles.Write(Paths.PeerKey, nodeKey.ExportPkcs8PrivateKeyPem());
        }
        if (answer.InitialCluster is null || answer.MemberId is null) return state; // external etcd: no member of ours
        state = state with { Member = new EtcdMemberSettings(state.NodeId, answer.InitialCluster, "existing", true) };
        StartMember(state, state.Member);
        using var etcd = Connect(answer.EtcdEndpoints);
        await PromoteLearnerAsync(etcd, Convert.ToUInt64(answer.MemberId, 16), ct);
        return state with { EtcdEndpoints = [.. answer.EtcdEndpoints, $"https://{state.Address}:{state.ClientPort}"] };
    }

    /// <summary>etcd promotes a learner only once it has caught up with the leader: retried until then (60 s at most).</summary>
    static async Task PromoteLearnerAsync(EtcdConnection etcd, ulong memberId, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await etcd.Cluster.MemberPromoteAsync(new MemberPromoteRequest { ID = memberId }, deadline: EtcdConnection.Deadline(), cancellationToken: ct);
                return;
            }
            catch (RpcException e) when (e.Status.Detail.Contains("not a learner", StringComparison.Ordinal)) { return; }
            catch (RpcException e) when (DateTime.UtcNow < deadline && !EtcdConnection.IsPermissionDenied(e))
            {
                await Task.Delay(500, ct);
            }
        }
    }

    /// <summary>After the manager admitted us but this side failed: a manager (root in etcd) removes its traces; then the files go.</summary>
    async Task UndoJoinAsync(JoinResponse answer)
    {
        if (answer.Role == NodeRole.Manager && File.Exists(Paths.NodeCertificate))
        {
            try
            {
                using var etcd = Connect(answer.EtcdEndpoints);
                await JoinIssuer.RemoveNodeAsync(etcd, answer.NodeId, Options.NodeName, answer.MemberId);
            }
            catch (Exception e) when (e is RpcException or IOException) { Log($"cluster: could not remove this node's half-made membership: {e.Message}"); }
        }
        await UndoLocalAsync();
    }
}
