using System.Text.Json;
using GitOps.Cluster.Api;
using GitOps.Cluster.Etcd;
using GitOps.Cluster.Pki;

namespace GitOps.Cluster.Membership;

internal sealed partial class ClusterNode
{
    /// <summary>gitops cluster join-token worker|manager [--rotate]: the current token, or a new one that invalidates the old.</summary>
    public async Task<JoinTokenView> JoinTokenAsync(string roleText, bool rotate, CancellationToken ct)
    {
        if (!NodeEnums.TryParseRole(roleText, out var role))
            throw new ClusterException($"invalid role \"{roleText}\": expected worker or manager");
        var etcd = RequireManager();
        var key = Key!;
        JoinToken token;
        if (rotate)
        {
            token = JoinToken.Create(Ca!.Digest);
            await etcd.PutAsync(Keys.Token(role), Google.Protobuf.ByteString.CopyFrom(TokenBytes(key, role, token)), ct: ct);
            Log($"cluster: the {role.Name()} join token was rotated");
        }
        else
        {
            var kv = await etcd.GetAsync(Keys.Token(role), ct: ct) ?? throw new ClusterException($"the cluster has no {role.Name()} token (rotate one with --rotate)", 500);
            var record = JsonSerializer.Deserialize(kv.Value.Span, StoreJson.Default.TokenRecord)!;
            token = new JoinToken(Ca!.Digest, System.Text.Encoding.UTF8.GetString(key.Open(Convert.FromBase64String(record.Sealed), Keys.Token(role))));
        }
        var s = State!;
        return new JoinTokenView(role.Name(), token.ToString(), $"gitops cluster join --token {token} {s.Address}:{s.JoinPort}");
    }

    public JoinIssuer Issuer => new(this);
}
