using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using GitOps.Cluster.Etcd;
using GitOps.Cluster.Membership;
using GitOps.Cluster.Pki;

namespace GitOps.Cluster.Tests.Infrastructure;

/// <summary>
/// A real one-member etcd (Debian's etcd-server) with the fleet's TLS and RBAC: a cluster CA, a peer CA,
/// the member supervised as the daemon supervises it, auth enabled, and an administrator user ("admin",
/// root role) the tests act as. Node users and their certificates are made on demand.
/// </summary>
public sealed class TestCluster : IAsyncLifetime
{
    readonly string _dir = Directory.CreateTempSubdirectory("gitops-cluster-test-").FullName;
    EtcdSupervisor? _supervisor;
    internal ClusterCa Ca { get; } = ClusterCa.Create("test");
    internal ClusterCa PeerCa { get; } = ClusterCa.Create("test-peer");
    internal ClusterPaths Paths { get; }
    public int ClientPort { get; } = FreePort();
    public int PeerPort { get; } = FreePort();
    public string Endpoint => $"https://127.0.0.1:{ClientPort}";
    internal EtcdConnection Admin { get; private set; } = null!;

    public TestCluster() => Paths = new ClusterPaths(_dir);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Paths.Dir);
        File.WriteAllText(Paths.CaCertificate, Ca.CertificatePem);
        File.WriteAllText(Paths.PeerCaCertificate, PeerCa.CertificatePem);
        var (cert, key) = Issue(Ca, "member", manager: true);
        File.WriteAllText(Paths.NodeCertificate, cert);
        File.WriteAllText(Paths.NodeKey, key);
        (cert, key) = Issue(PeerCa, "member", manager: true);
        File.WriteAllText(Paths.PeerCertificate, cert);
        File.WriteAllText(Paths.PeerKey, key);
        var args = EtcdMemberArgs.Build(Paths, "member", "127.0.0.1", ClientPort, PeerPort,
            $"member={EtcdMemberArgs.PeerUrl("127.0.0.1", PeerPort)}", "new", "test");
        _supervisor = new EtcdSupervisor(Paths.EtcdDir, args, _ => { });
        _supervisor.Start();
        Admin = Connect("admin", manager: true);
        await WaitReadyAsync(Admin);
        var access = new EtcdAccess(Admin);
        await access.EnableAsync(default);
        await Admin.Auth.UserAddAsync(new Etcdserverpb.AuthUserAddRequest { Name = "admin", Options = new Authpb.UserAddOptions { NoPassword = true } });
        await Admin.Auth.UserGrantRoleAsync(new Etcdserverpb.AuthUserGrantRoleRequest { User = "admin", Role = EtcdAccess.RootRole });
        await access.TurnOnAsync(default);
    }

    static async Task WaitReadyAsync(EtcdConnection etcd)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await etcd.GetAsync("/ready");
                return;
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline) { await Task.Delay(100); }
        }
    }

    /// <summary>A connection as user <paramref name="cn"/> (a certificate of the cluster CA with that CN).</summary>
    internal EtcdConnection Connect(string cn, bool manager = false)
    {
        var (cert, key) = Issue(Ca, cn, manager);
        var creds = new EtcdCredentials(NodeKeyPair.WithKey(cert, key), X509Certificate2.CreateFromPem(Ca.CertificatePem));
        return new EtcdConnection([Endpoint], creds);
    }

    /// <summary>A connection whose client certificate comes from another CA (another cluster).</summary>
    internal EtcdConnection ConnectWithForeignCertificate(string cn)
    {
        using var other = ClusterCa.Create("other");
        var (cert, key) = Issue(other, cn, manager: true);
        return new EtcdConnection([Endpoint], new EtcdCredentials(NodeKeyPair.WithKey(cert, key), X509Certificate2.CreateFromPem(Ca.CertificatePem)));
    }

    internal static (string Cert, string Key) Issue(ClusterCa ca, string cn, bool manager)
    {
        using var key = NodeKeyPair.Create();
        var csr = NodeKeyPair.ParseSigningRequest(NodeKeyPair.SigningRequestPem(key, cn));
        using var cert = ca.Issue(csr, cn, cn, IPAddress.Loopback, manager);
        return (cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    internal Task CreateNodeUserAsync(string nodeId, NodeRole role) => new EtcdAccess(Admin).CreateNodeUserAsync(nodeId, role, default);

    static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        if (_supervisor is not null) await _supervisor.DisposeAsync();
        Ca.Dispose();
        PeerCa.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<TestCluster>
{
    public const string Name = "etcd";
}
