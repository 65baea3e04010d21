using GitOps.Cluster.Etcd;

namespace GitOps.Cluster.Election;

/// <summary>
/// Won leadership: the candidate's election key and its create revision — the fencing token every
/// controller write compares — held through the lease session it was written with.
/// </summary>
internal sealed record Leadership(string Key, long CreateRevision, string Candidate, LeaseSession Session)
{
    /// <summary>False once the lease is lost or presumed lost: a leader that cannot prove its lease stops acting.</summary>
    public bool IsHeld => Session.IsAlive;
}

/// <summary>Who leads now (from the lowest create revision under the election prefix).</summary>
internal sealed record LeaderInfo(string Candidate, string Key, long CreateRevision);

/// <summary>A write refused because the writer no longer leads (its election key is gone or replaced).</summary>
internal sealed class NotLeaderException(string message) : Exception(message);
