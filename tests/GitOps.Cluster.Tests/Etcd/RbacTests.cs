using GitOps.Cluster.Etcd;
using GitOps.Cluster.Membership;
using GitOps.Cluster.Tests.Infrastructure;
using Grpc.Core;

namespace GitOps.Cluster.Tests.Etcd;

/// <summary>A worker's etcd credentials reach its own keys and the exact keys granted to it, nothing else.</summary>
[Collection(EtcdCollection.Name)]
public sealed class RbacTests(TestCluster cluster)
{
    static string NewId() => "n" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task A_worker_reads_its_own_assignments_and_writes_its_own_status_and_lease()
    {
        var id = NewId();
        await cluster.CreateNodeUserAsync(id, NodeRole.Worker);
        await cluster.Admin.PutAsync(Keys.Tasks(id) + "t1", EtcdConnection.Bytes("{}"));
        await cluster.Admin.PutAsync(Keys.CaCertificate, EtcdConnection.Bytes(cluster.Ca.CertificatePem));
        using var worker = cluster.Connect(id);
        Assert.NotNull(await worker.GetAsync(Keys.Tasks(id) + "t1"));
        Assert.Single((await worker.GetPrefixAsync(Keys.Tasks(id))).Kvs);
        await worker.PutAsync(Keys.Status(id) + "t1", EtcdConnection.Bytes("running"));
        await using var lease = await LeaseSession.GrantAsync(worker, TimeSpan.FromSeconds(5), default);
        await worker.PutAsync(Keys.AliveKey(id), EtcdConnection.Bytes("{}"), lease.Id);
        Assert.NotNull(await worker.GetAsync(Keys.CaCertificate));
    }

    [Fact]
    public async Task A_worker_is_refused_another_nodes_keys()
    {
        var (me, other) = (NewId(), NewId());
        await cluster.CreateNodeUserAsync(me, NodeRole.Worker);
        await cluster.CreateNodeUserAsync(other, NodeRole.Worker);
        await cluster.Admin.PutAsync(Keys.Tasks(other) + "t1", EtcdConnection.Bytes("{}"));
        using var worker = cluster.Connect(me);
        await AssertDenied(() => worker.GetAsync(Keys.Tasks(other) + "t1"));
        await AssertDenied(() => worker.GetPrefixAsync(Keys.Tasks(other)));
        await AssertDenied(() => worker.PutAsync(Keys.Status(other) + "t1", EtcdConnection.Bytes("x")));
        await AssertDenied(() => worker.PutAsync(Keys.AliveKey(other), EtcdConnection.Bytes("x")));
        await AssertDenied(() => worker.GetAsync(Keys.Node(other)));
        await AssertDenied(() => worker.GetPrefixAsync(Keys.Nodes));
        await AssertDenied(() => worker.PutAsync(Keys.Tasks(me) + "forged", EtcdConnection.Bytes("x")));
    }

    [Fact]
    public async Task A_worker_reads_only_the_secrets_granted_to_it_until_revoked()
    {
        var id = NewId();
        await cluster.CreateNodeUserAsync(id, NodeRole.Worker);
        var mine = Keys.Secret("shop", "db-" + id);
        var notMine = Keys.Secret("shop", "api-" + id);
        await cluster.Admin.PutAsync(mine, EtcdConnection.Bytes("sealed"));
        await cluster.Admin.PutAsync(notMine, EtcdConnection.Bytes("sealed"));
        var access = new EtcdAccess(cluster.Admin);
        await access.GrantReadAsync(id, mine, default);
        using var worker = cluster.Connect(id);
        Assert.NotNull(await worker.GetAsync(mine));
        await AssertDenied(() => worker.GetAsync(notMine));
        await AssertDenied(() => worker.GetPrefixAsync(Keys.Prefix + "secrets/shop/"));
        await access.RevokeReadAsync(id, mine, default);
        await AssertDenied(() => worker.GetAsync(mine));
    }

    [Fact]
    public async Task A_manager_reads_and_writes_the_whole_prefix()
    {
        var id = NewId();
        await cluster.CreateNodeUserAsync(id, NodeRole.Manager);
        using var manager = cluster.Connect(id, manager: true);
        await manager.PutAsync(Keys.Tasks("someone") + "t", EtcdConnection.Bytes("x"));
        Assert.NotNull(await manager.GetAsync(Keys.Tasks("someone") + "t"));
    }

    [Fact]
    public async Task A_certificate_of_another_cluster_is_refused()
    {
        using var foreign = cluster.ConnectWithForeignCertificate("admin");
        // etcd ends the TLS handshake: the call never reaches the store, whatever the CN claims.
        var e = await Assert.ThrowsAsync<RpcException>(() => foreign.GetAsync(Keys.Info));
        Assert.True(EtcdConnection.IsUnavailable(e), e.ToString());
    }

    [Fact]
    public async Task A_removed_node_user_is_refused()
    {
        var id = NewId();
        await cluster.CreateNodeUserAsync(id, NodeRole.Worker);
        await new EtcdAccess(cluster.Admin).DeleteNodeUserAsync(id, default);
        using var worker = cluster.Connect(id);
        var e = await Assert.ThrowsAnyAsync<RpcException>(() => worker.GetAsync(Keys.Tasks(id) + "t"));
        Assert.NotEqual(StatusCode.OK, e.StatusCode);
    }

    static async Task AssertDenied(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(EtcdConnection.IsPermissionDenied(e), e.ToString());
    }
}
