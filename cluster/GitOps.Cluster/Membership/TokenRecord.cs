namespace GitOps.Cluster.Membership;

/// <summary>
/// cluster/tokens/{role}: the SHA-256 a join is checked against, and the secret itself sealed with the
/// cluster key so that any manager can print the current token again (docker swarm join-token does).
/// </summary>
internal sealed record TokenRecord(string Sha256, string Sealed, DateTimeOffset CreatedAt);
