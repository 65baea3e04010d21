using System.Net;
using GitOps.Cluster.Pki;
using GitOps.Cluster.Tests.Infrastructure;

namespace GitOps.Cluster.Tests.Pki;

public sealed class PkiTests
{
    [Fact]
    public void A_join_token_round_trips_and_pins_the_ca()
    {
        using var ca = ClusterCa.Create("c1");
        var token = JoinToken.Create(ca.Digest);
        Assert.StartsWith("GITOPS1-", token.ToString());
        Assert.True(JoinToken.TryParse(token.ToString(), out var parsed, out _));
        Assert.Equal(ca.Digest, parsed.CaDigest);
        Assert.True(JoinToken.SecretMatches(parsed.Secret, token.SecretHash));
        Assert.False(JoinToken.SecretMatches(JoinToken.Create(ca.Digest).Secret, token.SecretHash));
    }

    [Theory]
    [InlineData("")]
    [InlineData("SWMTKN-1-abc-def")]
    [InlineData("GITOPS1-abc-def")]
    [InlineData("GITOPS1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-0000000000000000000000000000000!")]
    public void A_damaged_token_is_refused_with_a_reason(string text)
    {
        Assert.False(JoinToken.TryParse(text, out _, out var error));
        Assert.StartsWith("invalid join token", error);
    }

    [Fact]
    public void Node_certificates_carry_the_node_id_and_validate_only_against_their_own_ca()
    {
        using var ca = ClusterCa.Create("c1");
        using var other = ClusterCa.Create("c2");
        var (workerPem, workerKey) = TestCluster.Issue(ca, "node1", manager: false);
        var (managerPem, managerKey) = TestCluster.Issue(ca, "node2", manager: true);
        using var worker = NodeKeyPair.WithKey(workerPem, workerKey);
        using var manager = NodeKeyPair.WithKey(managerPem, managerKey);
        Assert.Equal("node1", ClusterCa.NodeIdOf(worker));
        Assert.True(ca.Validates(worker, requireServerAuth: false));
        Assert.False(ca.Validates(worker, requireServerAuth: true));
        Assert.True(ca.Validates(manager, requireServerAuth: true));
        Assert.False(other.Validates(manager, requireServerAuth: true));
        Assert.NotEqual(ca.Digest, other.Digest);
    }

    [Fact]
    public void The_subject_is_the_issuers_not_the_requesters()
    {
        using var ca = ClusterCa.Create("c1");
        using var key = NodeKeyPair.Create();
        var csr = NodeKeyPair.ParseSigningRequest(NodeKeyPair.SigningRequestPem(key, "root"));
        using var cert = ca.Issue(csr, "assigned-id", "web1", IPAddress.Parse("10.0.0.5"), manager: false);
        Assert.Equal("assigned-id", ClusterCa.NodeIdOf(cert));
    }

    [Fact]
    public void The_cluster_key_seals_with_the_key_it_is_stored_under()
    {
        var key = ClusterKey.Create();
        var sealedValue = key.Seal("s3cret"u8, "/gitops/v1/secrets/a/b");
        Assert.Equal("s3cret"u8.ToArray(), key.Open(sealedValue, "/gitops/v1/secrets/a/b"));
        Assert.Throws<InvalidDataException>(() => key.Open(sealedValue, "/gitops/v1/secrets/a/c"));
        Assert.True(key.Verifies(key.MakeCheck()));
        Assert.False(ClusterKey.Create().Verifies(key.MakeCheck()));
    }
}
