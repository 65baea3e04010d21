using System.Security.Cryptography;
using Authpb;
using Etcdserverpb;
using Grpc.Core;
using GitOps.Cluster.Membership;

namespace GitOps.Cluster.Etcd;

/// <summary>
/// etcd's RBAC as the fleet uses it (etcd --client-cert-auth maps a certificate's CN to the user of that
/// name, so no passwords exist). Managers hold etcd's root role (member add/remove and user/role
/// administration require it). A worker's user holds one role, node-{id}, allowing exactly: read its
/// assignments (tasks/{id}/), read and write its status (status/{id}/) and heartbeat (alive/{id}), read
/// its own node record and the CA certificate, plus exact-key read grants on the service specs and
/// secrets its assignments use, granted and revoked by the leader as it assigns.
/// </summary>
internal sealed class EtcdAccess(EtcdConnection etcd)
{
    public const string RootRole = "root";

    public static string RoleOf(string nodeId) => "node-" + nodeId;

    /// <summary>Turns authentication on, once, on a fresh cluster (before that any certificate of our CA is all-powerful).</summary>
    public async Task EnableAsync(CancellationToken ct)
    {
        // etcd requires a root user to exist; no one logs in as it (its password is thrown away), the
        // managers act through their own users, which hold the root role.
        await Ignore(StatusCode.FailedPrecondition, () => etcd.Auth.UserAddAsync(new AuthUserAddRequest
        {
            Name = "root", Password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }, deadline: EtcdConnection.Deadline(), cancellationToken: ct).ResponseAsync);
        await Ignore(StatusCode.FailedPrecondition, () => etcd.Auth.RoleAddAsync(new AuthRoleAddRequest { Name = RootRole }, deadline: EtcdConnection.Deadline(), cancellationToken: ct).ResponseAsync);
        await etcd.Auth.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "root", Role = RootRole }, deadline: EtcdConnection.Deadline(), cancellationToken: ct);
    }

    public async Task TurnOnAsync(CancellationToken ct) =>
        await etcd.Auth.AuthEnableAsync(new AuthEnableRequest(), deadline: EtcdConnection.Deadline(), cancellationToken: ct);

    /// <summary>The user of a node and its role; a manager's user also gets the root role.</summary>
    public async Task CreateNodeUserAsync(string nodeId, NodeRole role, CancellationToken ct)
    {
        await etcd.Auth.UserAddAsync(new AuthUserAddRequest { Name = nodeId, Options = new UserAddOptions { NoPassword = true } },
            deadline: EtcdConnection.Deadline(), cancellationToken: ct);
        var r = RoleOf(nodeId);
        await etcd.Auth.RoleAddAsync(new AuthRoleAddRequest { Name = r }, deadline: EtcdConnection.Deadline(), cancellationToken: ct);
        await GrantAsync(r, Keys.Tasks(nodeId), prefix: true, Permission.Types.Type.Read, ct);
        await GrantAsync(r, Keys.Status(nodeId), prefix: true, Permission.Types.Type.Readwrite, ct);
        await GrantAsync(r, Keys.AliveKey(nodeId), prefix: false, Permission.Types.Type.Readwrite, ct);
        await GrantAsync(r, Keys.Node(nodeId), prefix: false, Permission.Types.Type.Read, ct);
        await GrantAsync(r, Keys.CaCertificate, prefix: false, Permission.Types.Type.Read, ct);
        await GrantAsync(r, Keys.Info, prefix: false, Permission.Types.Type.Read, ct);
        await etcd.Auth.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = nodeId, Role = r }, deadline: EtcdConnection.Deadline(), cancellationToken: ct);
        if (role == NodeRole.Manager) await SetManagerAsync(nodeId, true, ct);
    }

    public async Task SetManagerAsync(string nodeId, bool manager, CancellationToken ct)
    {
        if (manager)
            await etcd.Auth.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = nodeId, Role = RootRole }, deadline: EtcdConnection.Deadline(), cancellationToken: ct);
        else
            await Ignore(StatusCode.FailedPrecondition, () => etcd.Auth.UserRevokeRoleAsync(new AuthUserRevokeRoleRequest { Name = nodeId, Role = RootRole },
                deadline: EtcdConnection.Deadline(), cancellationToken: ct).ResponseAsync);
    }

    /// <summary>Removes a node's user and role (node rm, leave, or a join undone); missing ones are fine.</summary>
    public async Task DeleteNodeUserAsync(string nodeId, CancellationToken ct)
    {
        await Ignore(StatusCode.FailedPrecondition, () => etcd.Auth.UserDeleteAsync(new AuthUserDeleteRequest { Name = nodeId }, deadline: EtcdConnection.Deadline(), cancellationToken: ct).ResponseAsync);
        await Ignore(StatusCode.FailedPrecondition, () => etcd.Auth.RoleDeleteAsync(new AuthRoleDeleteRequest { Role = RoleOf(nodeId) }, deadline: EtcdConnection.Deadline(), cancellationToken: ct).ResponseAsync);
    }

    /// <summary>Lets a node read one more exact key (a service spec or a secret one of its tasks uses).</summary>
    public Task GrantReadAsync(string nodeId, string key, CancellationToken ct) =>
        GrantAsync(RoleOf(nodeId), key, prefix: false, Permission.Types.Type.Read, ct);

    public async Task RevokeReadAsync(string nodeId, string key, CancellationToken ct) =>
        await Ignore(StatusCode.FailedPrecondition, () => etcd.Auth.RoleRevokePermissionAsync(new AuthRoleRevokePermissionRequest
        {
            Role = RoleOf(nodeId), Key = EtcdConnection.Bytes(key),
        }, deadline: EtcdConnection.Deadline(), cancellationToken: ct).ResponseAsync);

    async Task GrantAsync(string role, string key, bool prefix, Permission.Types.Type type, CancellationToken ct)
    {
        var perm = new Permission { PermType = type, Key = EtcdConnection.Bytes(key) };
        if (prefix) perm.RangeEnd = EtcdConnection.Bytes(Keys.RangeEnd(key));
        await etcd.Auth.RoleGrantPermissionAsync(new AuthRoleGrantPermissionRequest { Name = role, Perm = perm },
            deadline: EtcdConnection.Deadline(), cancellationToken: ct);
    }

    /// <summary>etcd answers "already exists" / "not found" with FailedPrecondition: idempotent steps ignore it.</summary>
    static async Task Ignore(StatusCode code, Func<Task> call)
    {
        try { await call(); }
        catch (RpcException e) when (e.StatusCode == code) { }
    }
}
