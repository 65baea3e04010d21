using GitOps.Cluster.Election;
using GitOps.Cluster.Etcd;
using GitOps.Cluster.Tests.Infrastructure;

namespace GitOps.Cluster.Tests.Election;

[Collection(EtcdCollection.Name)]
public sealed class ElectionTests(TestCluster cluster)
{
    static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    LeaderElection NewElection() => new(cluster.Admin, Keys.Election + "test-" + Guid.NewGuid().ToString("N")[..8] + "/");

    [Fact]
    public async Task The_first_candidate_leads_and_the_second_takes_over_when_it_resigns()
    {
        var election = NewElection();
        await using var a = await LeaseSession.GrantAsync(cluster.Admin, Ttl, default);
        await using var b = await LeaseSession.GrantAsync(cluster.Admin, Ttl, default);
        var leaderA = await election.CampaignAsync("a", a, default);
        Assert.Equal("a", (await election.LeaderAsync())!.Candidate);
        var campaignB = election.CampaignAsync("b", b, default);
        await Task.Delay(300);
        Assert.False(campaignB.IsCompleted);
        await election.ResignAsync(leaderA);
        var leaderB = await campaignB.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("b", leaderB.Candidate);
        Assert.Equal("b", (await election.LeaderAsync())!.Candidate);
    }

    [Fact]
    public async Task A_deposed_leaders_fenced_write_is_refused_and_changes_nothing()
    {
        var election = NewElection();
        var a = await LeaseSession.GrantAsync(cluster.Admin, Ttl, default);
        await using var b = await LeaseSession.GrantAsync(cluster.Admin, Ttl, default);
        var leaderA = await election.CampaignAsync("a", a, default);
        var writerA = new FencedWriter(cluster.Admin, leaderA);
        var key = Keys.Prefix + "test/fenced-" + Guid.NewGuid().ToString("N")[..8];
        await writerA.PutAsync(key, EtcdConnection.Bytes("from a"));

        // A's lease goes (as when its daemon is killed or cut off): B wins.
        await cluster.Admin.Lease.LeaseRevokeAsync(new Etcdserverpb.LeaseRevokeRequest { ID = a.Id });
        var leaderB = await election.CampaignAsync("b", b, default).WaitAsync(TimeSpan.FromSeconds(10));
        await new FencedWriter(cluster.Admin, leaderB).PutAsync(key, EtcdConnection.Bytes("from b"));

        // A does not know yet (its session still believes in the lease): the store refuses it all the same.
        var stale = new FencedWriter(cluster.Admin, leaderA with { Session = b });
        await Assert.ThrowsAsync<NotLeaderException>(() => stale.PutAsync(key, EtcdConnection.Bytes("late write from a")));
        await Assert.ThrowsAsync<NotLeaderException>(() => stale.DeleteAsync(key));
        Assert.Equal("from b", (await cluster.Admin.GetAsync(key))!.Value.ToStringUtf8());
        await a.DisposeAsync();
    }

    [Fact]
    public async Task A_leader_that_cannot_renew_its_lease_knows_it_lost()
    {
        var election = NewElection();
        await using var a = await LeaseSession.GrantAsync(cluster.Admin, Ttl, default);
        var leader = await election.CampaignAsync("a", a, default);
        Assert.True(leader.IsHeld);
        await cluster.Admin.Lease.LeaseRevokeAsync(new Etcdserverpb.LeaseRevokeRequest { ID = a.Id });
        await Task.Delay(Ttl * 2);
        Assert.True(a.Lost.IsCancellationRequested);
        Assert.False(leader.IsHeld);
        await Assert.ThrowsAsync<NotLeaderException>(() => new FencedWriter(cluster.Admin, leader).PutAsync(Keys.Prefix + "test/x", EtcdConnection.Bytes("x")));
    }

    [Fact]
    public async Task Observers_see_every_change_of_leader()
    {
        var election = NewElection();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<string?>();
        var gotTwo = new TaskCompletionSource();
        var observer = Task.Run(async () =>
        {
            try
            {
                await foreach (var l in election.ObserveAsync(cts.Token))
                {
                    lock (seen) seen.Add(l?.Candidate);
                    if (l?.Candidate == "b") gotTwo.TrySetResult();
                }
            }
            catch (OperationCanceledException) { }
            catch (Grpc.Core.RpcException) { }
        });
        await using var a = await LeaseSession.GrantAsync(cluster.Admin, Ttl, default);
        await using var b = await LeaseSession.GrantAsync(cluster.Admin, Ttl, default);
        var la = await election.CampaignAsync("a", a, default);
        var cb = election.CampaignAsync("b", b, default);
        await Task.Delay(200);
        await election.ResignAsync(la);
        await cb;
        await gotTwo.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        await observer;
        lock (seen) Assert.Equal(["b"], seen.Where(s => s is not null).Distinct().SkipWhile(s => s == "a"));
    }
}
