using GitOps.Cluster.Membership;

namespace GitOps.Cluster.Etcd;

/// <summary>
/// The store's key layout (one versioned prefix; see FLEET.md). Every key the fleet reads or writes is
/// made here, so the RBAC grants and the writers can never disagree about a path.
/// </summary>
internal static class Keys
{
    public const string Prefix = "/gitops/v1/";

    public const string CaCertificate = Prefix + "cluster/ca.crt";
    public const string Info = Prefix + "cluster/info";
    public const string KeyCheck = Prefix + "cluster/key-check";
    public static string Token(NodeRole role) => Prefix + "cluster/tokens/" + role.Name();

    public const string Nodes = Prefix + "nodes/";
    public static string Node(string id) => Nodes + id;

    /// <summary>names/{name} → node id: makes node names unique (created in the same Txn as the node record).</summary>
    public const string Names = Prefix + "names/";
    public static string Name(string name) => Names + name;

    public const string Alive = Prefix + "alive/";
    public static string AliveKey(string id) => Alive + id;

    public const string Election = Prefix + "election/";

    public static string Tasks(string nodeId) => Prefix + "tasks/" + nodeId + "/";
    public static string Status(string nodeId) => Prefix + "status/" + nodeId + "/";
    public static string Service(string app, string service) => Prefix + "services/" + app + "/" + service;
    public static string Secret(string app, string name) => Prefix + "secrets/" + app + "/" + name;

    /// <summary>The end of a prefix range (etcd's range_end for "every key starting with prefix").</summary>
    public static string RangeEnd(string prefix)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return System.Text.Encoding.UTF8.GetString(bytes, 0, i + 1);
            }
        }
        return "\0";
    }
}
