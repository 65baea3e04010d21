using GitOps.Runtime.Init;

// The daemon starts this binary with the sync socket at fd 3 (see ContainerInit).
return ContainerInit.Main();
