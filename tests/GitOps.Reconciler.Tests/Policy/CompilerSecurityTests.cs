using GitOps.Reconciler.Policy;
using GitOps.Reconciler.Reconcile;

namespace GitOps.Reconciler.Tests.Policy;

/// <summary>What a policy lets through reaches the engine request: nothing a manifest asks for is dropped on the way.</summary>
public sealed class CompilerSecurityTests
{
    [Fact]
    public void Privileged_pid_ipc_security_options_devices_and_binds_reach_the_host_config()
    {
        var r = PolicyCheckerTests.LoadTree(new Dictionary<string, string>
        {
            ["compose.yaml"] = """
                services:
                  web:
                    image: bb
                    privileged: true
                    cap_add: [SYS_ADMIN]
                    pid: host
                    ipc: "service:db"
                    security_opt: [seccomp=unconfined]
                    devices: ["/dev/zero:/dev/myzero:r"]
                    volumes: ["/:/host:ro", "./static:/static"]
                  db:
                    image: bb
                    ipc: shareable
                """,
            ["static/index.html"] = "hi",
        }, SecurityPolicy.Unrestricted);
        Load.AssertValid(r, "privileged");
        var app = Compiler.Compile("app", "p", "rev", r.Application!, RootOf(r), RootOf(r));
        var web = GitOps.Reconciler.Ports.Local.ContainerRequests.Build(Compiler.Replica(app, app.Service("web")!, 1)[0]).HostConfig;
        Assert.True(web.Privileged);
        Assert.Equal(["SYS_ADMIN"], web.CapAdd);
        Assert.Equal("host", web.PidMode);
        Assert.Equal("container:p-db-1", web.IpcMode);
        Assert.Equal(["seccomp=unconfined"], web.SecurityOpt);
        var device = Assert.Single(web.Devices);
        Assert.Equal(("/dev/zero", "/dev/myzero", "r"), (device.PathOnHost, device.PathInContainer, device.CgroupPermissions));
        Assert.Contains(web.Mounts, m => m.Type == "bind" && m.Source == "/" && m.Target == "/host" && m.ReadOnly);
        Assert.Contains(web.Mounts, m => m.Type == "bind" && m.Source == Path.Combine(RootOf(r), "static") && m.Target == "/static");
        Assert.Equal("shareable", GitOps.Reconciler.Ports.Local.ContainerRequests.Build(Compiler.Replica(app, app.Service("db")!, 1)[0]).HostConfig.IpcMode);
    }

    [Fact]
    public void A_bind_source_swapped_for_a_symlink_after_loading_is_not_followed_at_compile_time()
    {
        var r = PolicyCheckerTests.LoadTree(new Dictionary<string, string>
        {
            ["compose.yaml"] = "services:\n  web:\n    image: bb\n    volumes: [\"./data:/data\"]\n",
            ["data/x"] = "x",
        }, SecurityPolicy.Restricted);
        Load.AssertValid(r, "restricted, bind inside the tree");
        var root = RootOf(r);
        Directory.Delete(Path.Combine(root, "data"), recursive: true);
        Directory.CreateSymbolicLink(Path.Combine(root, "data"), "/etc");
        var e = Assert.Throws<PathEscapeException>(() => Compiler.Compile("app", "p", "rev", r.Application!, root, root));
        Assert.Contains("symlink data -> /etc points outside the revision's tree", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The tree a <see cref="PolicyCheckerTests.LoadTree"/> result was loaded from.</summary>
    static string RootOf(GitOps.Reconciler.Loading.LoadResult r) => r.Sources.TryGet(GitOps.Reconciler.Loading.SourceMap.Service("web"), out var mark, out _) ? Path.GetDirectoryName(mark.File)! : "";
}
