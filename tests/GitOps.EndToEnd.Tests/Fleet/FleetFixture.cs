using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Fleet;

/// <summary>
/// The shared lab cluster of the fleet tests: three managers and two workers formed through the CLI (init,
/// join-token, join), plus a spare host that is no member (for refused joins). Tests that break something
/// (kill a daemon, cut a host off) put it back and wait for <see cref="WaitHealthy"/> before they end.
/// </summary>
public sealed class FleetFixture : IDisposable
{
    public FleetFixture()
    {
        Lab = new Lab("m1", "m2", "m3", "w1", "w2", "x1");
        try
        {
            foreach (var h in Lab.Hosts) h.StartDaemon();
            M1.Ok("cluster", "init", "--advertise-addr", M1.Address);
            WorkerToken = M1.Ok("cluster", "join-token", "-q", "worker");
            ManagerToken = M1.Ok("cluster", "join-token", "-q", "manager");
            foreach (var m in new[] { M2, M3 }) m.Ok("cluster", "join", "--token", ManagerToken, M1.Address + ":2377");
            foreach (var w in new[] { W1, W2 }) w.Ok("cluster", "join", "--token", WorkerToken, M1.Address);
            WaitHealthy();
        }
        catch
        {
            Lab.Dispose();
            throw;
        }
    }

    public Lab Lab { get; }
    public LabHost M1 => Lab["m1"];
    public LabHost M2 => Lab["m2"];
    public LabHost M3 => Lab["m3"];
    public LabHost W1 => Lab["w1"];
    public LabHost W2 => Lab["w2"];
    public LabHost Spare => Lab["x1"];
    public IEnumerable<LabHost> Managers => [M1, M2, M3];
    public IEnumerable<LabHost> Members => [M1, M2, M3, W1, W2];
    public string WorkerToken { get; }
    public string ManagerToken { get; }

    /// <summary>Waits until every member daemon runs, etcd has quorum with all three members healthy, a leader is elected and all five nodes are ready.</summary>
    public void WaitHealthy(TimeSpan? timeout = null)
    {
        foreach (var h in Members)
        {
            if (h.IsCut) h.Reconnect();
            if (h.Daemon is null) h.StartDaemon();
        }
        string last = "";
        try
        {
        Gitops.Eventually(() =>
        {
            var manager = Managers.FirstOrDefault(m => Status(m) is { Writable: true, Leader: not null });
            if (manager is null) { last = "no manager with quorum and a leader"; return false; }
            var s = Status(manager)!;
            var nodes = Nodes(manager);
            last = $"members {string.Join(", ", s.Members.Select(m => $"{m.Name}:{(m.Healthy ? "ok" : m.Error)}"))}; nodes {string.Join(", ", nodes.Select(n => $"{n.Hostname}:{n.Status}/{n.ManagerStatus}"))}";
            return s.Members.Count == 3 && s.Members.All(m => m.Healthy && !m.IsLearner)
                   && nodes.Count == 5 && nodes.All(n => n.Status == "Ready")
                   && nodes.Count(n => n.ManagerStatus is "Leader" or "Reachable") == 3;
        }, timeout ?? TimeSpan.FromSeconds(120), "a healthy cluster");
        }
        // The message says what was last seen (the wait's own message is built before the first look).
        catch (Exception e) when (e is not OutOfMemoryException) { throw new Xunit.Sdk.XunitException($"{e.Message}: {last}"); }
    }

    public static ClusterStatus? Status(LabHost host)
    {
        var r = host.Cli("cluster", "status", "--format", "{{json .}}");
        return r.Stdout.TrimStart().StartsWith('{') ? JsonSerializer.Deserialize(r.Stdout, FleetJson.Default.ClusterStatus) : null;
    }

    public static IReadOnlyList<Node> Nodes(LabHost host)
    {
        var r = host.Cli("node", "ls", "--format", "{{json .}}");
        if (r.ExitCode != 0) return [];
        return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize(l, FleetJson.Default.Node)!)];
    }

    public LabHost? Leader() =>
        Managers.Select(Status).FirstOrDefault(s => s is { Writable: true, Leader: not null }) is { } s ? Lab[s.Leader!] : null;

    public void Dispose() => Lab.Dispose();

    public sealed record ClusterStatus(string ClusterID, string NodeID, string NodeName, string Role, string? Leader, bool IsLeader, bool Writable, string Message,
        List<Member> Members, int Nodes, int NodesReady);

    public sealed record Member(string ID, string Name, string Endpoint, bool Healthy, bool IsLeader, bool IsLearner, string? Error);

    public sealed record Node(string ID, string Hostname, string Role, string Status, string Availability, string ManagerStatus, string EngineVersion,
        string Address, bool Self, Dictionary<string, string> Labels, List<string> Taints, long NanoCPUs, long MemoryBytes);
}

// Run after the parallel collections, alone: etcd elections and learner promotion on a 2-core machine
// busy with other tests' containers take long enough to turn waits into flakes.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FleetCollection : ICollectionFixture<FleetFixture>
{
    public const string Name = "fleet";
}

[JsonSerializable(typeof(FleetFixture.ClusterStatus))]
[JsonSerializable(typeof(FleetFixture.Node))]
internal sealed partial class FleetJson : JsonSerializerContext;
