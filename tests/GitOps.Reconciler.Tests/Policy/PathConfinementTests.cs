using GitOps.Reconciler.Diagnostics;
using GitOps.Reconciler.Loading;
using GitOps.Reconciler.Policy;

namespace GitOps.Reconciler.Tests.Policy;

/// <summary>Everything a revision reads stays inside its tree: "../" and symlinks out of it are errors at file:line, whatever the policy.</summary>
public sealed class PathConfinementTests
{
    static LoadResult Load(IReadOnlyDictionary<string, string> files, string app = "app", Action<string>? prepare = null, SecurityPolicy? policy = null) =>
        PolicyCheckerTests.LoadTree(files, policy ?? SecurityPolicy.Unrestricted, app, prepare);

    static Diagnostic Escape(LoadResult r)
    {
        Assert.False(r.Succeeded);
        var escapes = r.Errors.Where(d => d.Code == "path.escape").ToList();
        Assert.True(escapes.Count == 1, "expected one path.escape error, got:\n" + string.Join("\n", r.Errors));
        return escapes[0];
    }

    [Fact]
    public void An_env_file_that_climbs_out_is_refused_at_its_line()
    {
        var d = Escape(Load(new Dictionary<string, string> { ["app/compose.yaml"] = "services:\n  web:\n    image: bb\n    env_file: ../../etc/shadow\n" }));
        Assert.Equal(4, d.Line);
        Assert.Contains("env_file ../../etc/shadow: '..' leaves the revision's tree", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_to_the_hosts_passwd_used_as_a_config_file_is_refused()
    {
        var d = Escape(Load(new Dictionary<string, string>
        {
            ["app/compose.yaml"] = "services:\n  web:\n    image: bb\n    configs: [users]\nconfigs:\n  users:\n    file: ./users.conf\n",
        }, prepare: root => File.CreateSymbolicLink(Path.Combine(root, "app", "users.conf"), "/etc/passwd")));
        Assert.Equal(7, d.Line);
        Assert.Contains("symlink app/users.conf -> /etc/passwd points outside the revision's tree", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_symlink_that_climbs_out_is_refused_and_one_that_stays_in_is_followed()
    {
        var files = new Dictionary<string, string>
        {
            ["app/compose.yaml"] = "services:\n  web:\n    image: bb\n    env_file: [shared.env, sneaky.env]\n",
            ["common/shared.env"] = "A=1\n",
        };
        var r = Load(files, prepare: root =>
        {
            File.CreateSymbolicLink(Path.Combine(root, "app", "shared.env"), "../common/shared.env");
            File.CreateSymbolicLink(Path.Combine(root, "app", "sneaky.env"), "../../../../../../etc/hostname");
        });
        var d = Escape(r);
        Assert.Contains("sneaky.env", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bind_of_the_parent_of_the_tree_is_refused_even_under_privileged()
    {
        var d = Escape(Load(new Dictionary<string, string> { ["app/compose.yaml"] = "services:\n  web:\n    image: bb\n    volumes: [\"../..:/up\"]\n" }));
        Assert.Equal(4, d.Line);
        Assert.Contains("bind source ../..", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extends_include_and_build_context_outside_the_tree_are_refused()
    {
        var r = Load(new Dictionary<string, string>
        {
            ["app/compose.yaml"] = """
                include:
                  - ../../x/compose.yaml
                services:
                  web:
                    extends: {file: ../../x.yaml, service: base}
                  built:
                    build: ..
                """,
        });
        var escapes = r.Errors.Where(d => d.Code == "path.escape").ToList();
        Assert.Contains(escapes, d => d.Line == 2 && d.Message.StartsWith("include ../../x/compose.yaml", StringComparison.Ordinal));
        Assert.Contains(escapes, d => d.Line == 5 && d.Message.Contains("extends file", StringComparison.Ordinal));
        Assert.DoesNotContain(escapes, d => d.Message.Contains("build context", StringComparison.Ordinal));
        // ".." from app/ is the tree's root: inside. Two levels up is not.
        var up = Load(new Dictionary<string, string> { ["app/compose.yaml"] = "services:\n  built:\n    build:\n      context: ../..\n" });
        Assert.Equal(4, Escape(up).Line);
    }

    [Fact]
    public void A_manifest_path_symlinked_out_of_the_tree_is_refused()
    {
        var elsewhere = global::GitOps.Reconciler.Tests.Load.TempDir();
        File.WriteAllText(Path.Combine(elsewhere, "compose.yaml"), "services:\n  web:\n    image: bb\n");
        var r = Load(new Dictionary<string, string> { ["README"] = "" }, "app", root => Directory.CreateSymbolicLink(Path.Combine(root, "app"), elsewhere));
        Assert.Contains("points outside the revision's tree", Escape(r).Message, StringComparison.Ordinal);
        var file = Load(new Dictionary<string, string> { ["app/README"] = "" }, "app", root => File.CreateSymbolicLink(Path.Combine(root, "app", "compose.yaml"), Path.Combine(elsewhere, "compose.yaml")));
        Assert.Contains("compose.yaml", Escape(file).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absolute_host_files_are_host_paths_judged_by_the_policy()
    {
        var files = new Dictionary<string, string>
        {
            ["app/compose.yaml"] = "services:\n  web:\n    image: bb\n    secrets: [s]\nsecrets:\n  s:\n    file: /etc/hostname\n",
        };
        var refused = Load(files, policy: SecurityPolicy.Restricted);
        var d = refused.Errors.Single(e => e.Code == "policy.host-path");
        Assert.Equal(7, d.Line);
        Assert.Contains("secret file /etc/hostname is a host path, not allowed (allowed host paths: none)", d.Message, StringComparison.Ordinal);
        global::GitOps.Reconciler.Tests.Load.AssertValid(Load(files, policy: SecurityPolicy.Unrestricted), "privileged reads host files");
        global::GitOps.Reconciler.Tests.Load.AssertValid(Load(files, policy: SecurityPolicy.Restricted with { AllowedHostPaths = [new HostPathRule("/etc/hostname", true)] }), "an allowed host file");
    }

    [Fact]
    public void Without_a_tree_root_paths_are_taken_as_docker_takes_them()
    {
        var dir = global::GitOps.Reconciler.Tests.Load.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "app"));
        File.WriteAllText(Path.Combine(dir, "shared.env"), "A=1\n");
        File.WriteAllText(Path.Combine(dir, "app", "compose.yaml"), "services:\n  web:\n    image: bb\n    env_file: ../shared.env\n    volumes: [\"../:/up\"]\n");
        var r = ManifestLoader.Load([Path.Combine(dir, "app")], new LoadOptions());
        global::GitOps.Reconciler.Tests.Load.AssertValid(r, "local compose up");
    }

    [Fact]
    public void The_resolver_follows_links_inside_and_stops_at_the_first_step_out()
    {
        var root = global::GitOps.Reconciler.Tests.Load.TempDir();
        Directory.CreateDirectory(Path.Combine(root, "a", "b"));
        Directory.CreateSymbolicLink(Path.Combine(root, "up"), "a/b/../..");
        Directory.CreateSymbolicLink(Path.Combine(root, "loop"), "loop");
        var tree = new TreeRoot(root);
        Assert.True(tree.TryResolve("up/a/b", root, out var resolved, out _));
        Assert.Equal(Path.Combine(tree.Root, "a", "b"), resolved);
        Assert.False(tree.TryResolve("up/..", root, out _, out var error));
        Assert.Contains("'..' leaves", error, StringComparison.Ordinal);
        Assert.False(tree.TryResolve("loop/x", root, out _, out error));
        Assert.Contains("too many levels", error, StringComparison.Ordinal);
        Assert.True(tree.TryResolve("a/missing/../b", root, out resolved, out _));
        Assert.Equal(Path.Combine(tree.Root, "a", "b"), resolved);
    }
}
