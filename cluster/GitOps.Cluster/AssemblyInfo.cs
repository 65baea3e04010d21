// The fleet: cluster membership and PKI, the etcd store, leader election, the scheduler, the controller and the agents.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("GitOps.Cluster.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("gitops")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("GitOps.Bench")]
