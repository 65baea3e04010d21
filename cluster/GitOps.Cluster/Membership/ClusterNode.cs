using System.Security.Cryptography.X509Certificates;
using GitOps.Cluster.Election;
using GitOps.Cluster.Etcd;
using GitOps.Cluster.Pki;

namespace GitOps.Cluster.Membership;

/// <summary>
/// This daemon as a cluster node. Not a member: nothing runs (the daemon is exactly a single machine).
/// A member: its etcd member (managers with a supervised member), its connection to the store, its
/// heartbeat, and on managers the election and the join listener. Membership changes (init, join,
/// leave, promotion, demotion) are serialized by one gate.
/// </summary>
internal sealed partial class ClusterNode : IAsyncDisposable
{
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Func<ClusterNode, Task<IAsyncDisposable>>? _listenerFactory;
    CancellationTokenSource? _background;
    Task? _watcher;
    IAsyncDisposable? _listener;

    public ClusterNode(ClusterPaths paths, NodeOptions options, Action<string> log, Func<ClusterNode, Task<IAsyncDisposable>>? listenerFactory = null)
    {
        Paths = paths;
        Options = options;
        Log = log;
        _listenerFactory = listenerFactory;
    }

    public ClusterPaths Paths { get; }
    public NodeOptions Options { get; }
    public Action<string> Log { get; }
    public LocalState? State { get; private set; }
    public EtcdConnection? Etcd { get; private set; }
    public ClusterCa? Ca { get; private set; }
    public ClusterCa? PeerCa { get; private set; }
    public ClusterKey? Key { get; private set; }
    public X509Certificate2? NodeCertificate { get; private set; }
    public EtcdSupervisor? Member { get; private set; }
    public Heartbeat? Heartbeat { get; private set; }
    public ElectionRunner? Election { get; private set; }

    public bool IsMember => State is not null;
    public bool IsManager => State?.Role == NodeRole.Manager;

    /// <summary>At daemon start: resumes the membership recorded under the root, if any.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (LocalFiles.ReadState(Paths) is not { } state) return;
            await ActivateAsync(state, ct);
            Log($"cluster: node {state.NodeName} ({state.NodeId}), {state.Role.Name()} of cluster {state.ClusterId}, address {state.Address}");
        }
        finally { _gate.Release(); }
    }

    /// <summary>Loads the credentials, (re)starts the member if this node runs one, connects, and starts the node's loops.</summary>
    async Task ActivateAsync(LocalState state, CancellationToken ct)
    {
        State = state;
        Ca = ClusterCa.Load(File.ReadAllText(Paths.CaCertificate), File.Exists(Paths.CaKey) ? File.ReadAllText(Paths.CaKey) : null);
        PeerCa = File.Exists(Paths.PeerCaCertificate)
            ? ClusterCa.Load(File.ReadAllText(Paths.PeerCaCertificate), File.Exists(Paths.PeerCaKey) ? File.ReadAllText(Paths.PeerCaKey) : null) : null;
        Key = new ClusterKey(File.ReadAllBytes(Paths.ClusterKey));
        NodeCertificate = NodeKeyPair.WithKey(File.ReadAllText(Paths.NodeCertificate), File.ReadAllText(Paths.NodeKey));
        if (state.Member is { } m && !state.ExternalEtcd && Member is null) StartMember(state, m);
        Etcd = Connect(state.EtcdEndpoints);
        _background = new CancellationTokenSource();
        Heartbeat = new Heartbeat(Etcd, state.NodeId, state.Address, Log);
        Heartbeat.Start();
        if (state.Role == NodeRole.Manager) await StartManagerRoleAsync();
        _watcher = Task.Run(() => WatchSelfAsync(_background.Token));
        await Task.CompletedTask;
    }

    void StartMember(LocalState state, EtcdMemberSettings m)
    {
        var args = EtcdMemberArgs.Build(Paths, m.Name, state.Address, state.ClientPort, state.PeerPort, m.InitialCluster, m.InitialState, state.ClusterId);
        Member = new EtcdSupervisor(Paths.EtcdDir, args, Log);
        Member.Start();
    }

    async Task StartManagerRoleAsync()
    {
        Election = new ElectionRunner(Etcd!, State!.NodeId, Log);
        Election.Start();
        if (_listenerFactory is not null) _listener = await _listenerFactory(this);
    }

    async Task StopManagerRoleAsync()
    {
        if (_listener is not null) await _listener.DisposeAsync();
        _listener = null;
        if (Election is not null) await Election.DisposeAsync();
        Election = null;
    }

    /// <summary>A connection with this node's certificate (or the external etcd's credentials the daemon was given).</summary>
    internal EtcdConnection Connect(IReadOnlyList<string> endpoints)
    {
        if (Options.External is { } ext)
            return new EtcdConnection(ext.Endpoints, EtcdCredentials.FromFiles(ext.CaFile, ext.CertFile, ext.KeyFile));
        var creds = new EtcdCredentials(NodeKeyPair.WithKey(File.ReadAllText(Paths.NodeCertificate), File.ReadAllText(Paths.NodeKey)),
            X509Certificate2.CreateFromPem(File.ReadAllText(Paths.CaCertificate)));
        return new EtcdConnection(endpoints, creds);
    }

    /// <summary>Stops the node's loops and its connection; the member too when <paramref name="stopMember"/> (daemon stop, leave, demotion).</summary>
    async Task DeactivateAsync(bool stopMember)
    {
        if (_background is not null) await _background.CancelAsync();
        if (_watcher is not null) { try { await _watcher; } catch (OperationCanceledException) { } }
        _watcher = null;
        await StopManagerRoleAsync();
        if (Heartbeat is not null) await Heartbeat.DisposeAsync();
        Heartbeat = null;
        Etcd?.Dispose();
        Etcd = null;
        // Without stopMember the supervisor keeps running (a role change re-activates around it).
        if (stopMember && Member is not null)
        {
            await Member.StopAsync(TimeSpan.FromSeconds(10));
            Member = null;
        }
        _background?.Dispose();
        _background = null;
        Ca?.Dispose();
        PeerCa?.Dispose();
        NodeCertificate?.Dispose();
        (Ca, PeerCa, NodeCertificate, Key, State) = (null, null, null, null, null);
    }

    /// <summary>Throws the one-line error of a verb that needs membership (or a manager).</summary>
    public LocalState RequireMember()
        => State ?? throw new ClusterException("this node is not part of a cluster: create one with gitops cluster init, or join one with gitops cluster join", 409);

    public EtcdConnection RequireManager()
    {
        var s = RequireMember();
        if (s.Role != NodeRole.Manager)
            throw new ClusterException("this node is not a manager: run this on a manager node (gitops node ls there shows which nodes are)", 409);
        return Etcd!;
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try { await DeactivateAsync(stopMember: true); }
        finally { _gate.Release(); }
    }
}
