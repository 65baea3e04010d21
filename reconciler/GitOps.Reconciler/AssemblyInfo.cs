// The reconciler: Git sources, manifest loaders, the desired-state model, diff, plan, strategies and drift.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("GitOps.Reconciler.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("gitops")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("ManifestBench")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("GitOps.Bench")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("GitOps.Cluster")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("GitOps.Cluster.Tests")]
