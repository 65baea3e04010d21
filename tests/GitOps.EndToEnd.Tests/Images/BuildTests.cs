using System.Diagnostics;
using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Images;

[Collection(EngineCollection.Name)]
public sealed class BuildTests(DaemonFixture d)
{
    string Context(string name, IReadOnlyDictionary<string, string> files)
    {
        var dir = Path.Combine(d.Dir, "ctx-" + name + "-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        return dir;
    }

    CliResult Build(string context, params string[] args) => Gitops.Run(d.Socket, null, TimeSpan.FromSeconds(120), ["build", .. args, context]);

    [Fact]
    public void The_multistage_hello_example_builds_a_small_final_image_and_rebuilds_from_cache()
    {
        // The seed's shape: a build stage "compiles" (a shell script stands in for gcc), a small stage keeps the result.
        var ctx = Context("hello", new Dictionary<string, string>
        {
            ["hello.txt"] = "Hello, world!",
            ["compile.sh"] = "printf '#!/bin/sh\\necho \"%s\"\\n' \"$(cat \"$1\")\" > \"$2\" && chmod +x \"$2\"\n",
            ["Dockerfile"] = """
                FROM bb AS build
                RUN mkdir /app
                WORKDIR /app
                COPY . /app
                RUN mkdir bin
                RUN sh compile.sh hello.txt bin/hello

                FROM bb
                COPY --from=build /app/bin/hello /app/hello
                CMD /app/hello
                """,
        });
        var first = Build(ctx, "-t", "hello-world:v1");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Step 1/9 : FROM bb AS build", first.Stdout);
        Assert.Contains("Successfully tagged hello-world:v1", first.Stdout);
        Assert.Equal("Hello, world!", d.Ok("run", "--rm", "hello-world:v1"));
        using (var doc = JsonDocument.Parse(d.Ok("image", "inspect", "hello-world:v1")))
        {
            // bb's layer and the one COPY: nothing of the build stage travels.
            Assert.Equal(2, doc.RootElement[0].GetProperty("RootFS").GetProperty("diff_ids").GetArrayLength());
            Assert.Equal(JsonValueKind.Array, doc.RootElement[0].GetProperty("Config").GetProperty("Cmd").ValueKind);
        }
        Assert.NotEqual(0, d.Cli("run", "--rm", "hello-world:v1", "ls", "/app/compile.sh").ExitCode);
        var id = d.Ok("image", "inspect", "-f", "{{.Id}}", "hello-world:v1");

        var sw = Stopwatch.StartNew();
        var again = Build(ctx, "-t", "hello-world:v1");
        sw.Stop();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(5, again.Stdout.Split('\n').Count(l => l == " ---> Using cache"));
        Assert.DoesNotContain("Running in", again.Stdout);
        Assert.Equal(id, d.Ok("image", "inspect", "-f", "{{.Id}}", "hello-world:v1"));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1), $"a cached rebuild took {sw.Elapsed.TotalMilliseconds:0} ms");

        // A changed input rebuilds from the COPY on; --no-cache rebuilds everything.
        File.WriteAllText(Path.Combine(ctx, "hello.txt"), "Hello again!");
        var changed = Build(ctx, "-t", "hello-world:v2");
        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Equal(1, changed.Stdout.Split('\n').Count(l => l == " ---> Using cache"));
        Assert.Equal("Hello again!", d.Ok("run", "--rm", "hello-world:v2"));
        var fresh = Build(ctx, "--no-cache", "-t", "hello-world:v3");
        Assert.True(fresh.ExitCode == 0, fresh.ToString());
        Assert.DoesNotContain("Using cache", fresh.Stdout);
        Assert.Empty(d.Ok("ps", "-a", "--filter", "label=gitops.build", "-q"));
    }

    [Fact]
    public void Every_instruction_has_its_effect()
    {
        var tgz = Path.Combine(d.Dir, "archive-src");
        Directory.CreateDirectory(Path.Combine(tgz, "inner"));
        File.WriteAllText(Path.Combine(tgz, "inner", "from-tar.txt"), "unpacked");
        var ctx = Context("all", new Dictionary<string, string>
        {
            ["files/a.txt"] = "A",
            ["files/sub/b.txt"] = "B",
            ["sample1"] = "s1",
            ["sample2"] = "s2",
            ["Dockerfile"] = """
                # syntax and comments are fine
                ARG BASE=bb
                FROM ${BASE}
                MAINTAINER tester@example.com
                ARG VERSION=1.0
                ENV APPDIR=/app \
                    GREETING="hello there"
                LABEL org.example.name="all instructions" tier=test
                EXPOSE 8080 53/udp
                VOLUME /data
                STOPSIGNAL SIGINT
                WORKDIR $APPDIR
                COPY files/ /dst1/
                COPY files /dst2
                COPY files/a.txt /dst3/renamed.txt
                COPY files/a.txt /dst4/
                COPY sample* /mydir/
                COPY ["files/sub/b.txt", "json-form.txt"]
                COPY --chown=1000:1000 files/a.txt owned.txt
                ADD archive.tar.gz /unpacked/
                ADD files/a.txt /added.txt
                RUN echo "$VERSION" > /version && pwd > /workdir.txt
                RUN ["/bin/sh", "-c", "echo exec-form > /exec.txt"]
                SHELL ["/bin/sh", "-xc"]
                RUN echo shell-form
                USER 1000
                RUN id -u > /tmp/uid
                HEALTHCHECK --interval=5s --retries=2 CMD true
                ONBUILD RUN echo child
                ENTRYPOINT ["/bin/sh", "-c"]
                CMD ["echo $GREETING from $APPDIR"]
                """,
        });
        var tar = Gitops.Exec("/bin/tar", null, null, DaemonFixture.Timeout, "-C", tgz, "-czf", Path.Combine(ctx, "archive.tar.gz"), ".");
        Assert.Equal(0, tar.ExitCode);
        var build = Build(ctx, "-t", "allinstr:1", "--build-arg", "VERSION=2.0");
        Assert.True(build.ExitCode == 0, build + File.ReadAllText(d.DaemonLog));
        Assert.Contains("+ echo shell-form", build.Stdout + build.Stderr);

        Assert.Equal("hello there from /app", d.Ok("run", "--rm", "allinstr:1"));
        var files = d.Ok("run", "--rm", "--user", "0", "allinstr:1", string.Join("; ",
            "cat /dst1/a.txt /dst1/sub/b.txt", "test ! -e /dst1/files && echo no-dir", "cat /dst2/a.txt", "cat /dst3/renamed.txt", "cat /dst4/a.txt",
            "cat /mydir/sample1 /mydir/sample2", "cat /app/json-form.txt", "stat -c %u:%g /app/owned.txt", "cat /unpacked/inner/from-tar.txt",
            "cat /added.txt", "cat /version", "cat /workdir.txt", "cat /exec.txt", "cat /tmp/uid"));
        // The context files have no trailing newline: cat runs them together.
        Assert.Equal("ABno-dir\nAAAs1s2B1000:1000\nunpackedA2.0\n/app\nexec-form\n1000", files);

        using var doc = JsonDocument.Parse(d.Ok("image", "inspect", "allinstr:1"));
        var img = doc.RootElement[0];
        var cfg = img.GetProperty("Config");
        Assert.Equal("tester@example.com", img.GetProperty("Author").GetString());
        Assert.Equal("1000", cfg.GetProperty("User").GetString());
        Assert.Equal("/app", cfg.GetProperty("WorkingDir").GetString());
        Assert.Equal("SIGINT", cfg.GetProperty("StopSignal").GetString());
        Assert.Contains("GREETING=hello there", cfg.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(cfg.GetProperty("Env").EnumerateArray(), e => e.GetString()!.StartsWith("VERSION=", StringComparison.Ordinal));
        Assert.Equal("all instructions", cfg.GetProperty("Labels").GetProperty("org.example.name").GetString());
        Assert.True(cfg.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        Assert.True(cfg.GetProperty("ExposedPorts").TryGetProperty("53/udp", out _));
        Assert.True(cfg.GetProperty("Volumes").TryGetProperty("/data", out _));
        static string List(JsonElement e) => string.Join(",", e.EnumerateArray().Select(x => x.GetString()));
        Assert.Equal("CMD-SHELL,true", List(cfg.GetProperty("Healthcheck").GetProperty("Test")));
        Assert.Equal(5_000_000_000, cfg.GetProperty("Healthcheck").GetProperty("Interval").GetInt64());
        Assert.Equal("/bin/sh,-xc", List(cfg.GetProperty("Shell")));
        Assert.Equal("RUN echo child", List(cfg.GetProperty("OnBuild")));
        Assert.Equal("/bin/sh,-c", List(cfg.GetProperty("Entrypoint")));
    }

    [Fact]
    public void Dockerignore_leaves_files_out_of_the_context()
    {
        var ctx = Context("ignore", new Dictionary<string, string>
        {
            ["keep.txt"] = "k",
            ["secret.txt"] = "s",
            ["logs/x.log"] = "l",
            ["docs/keep.md"] = "d1",
            ["docs/drop.md"] = "d2",
            ["src/a.tmp"] = "t",
            ["src/deep/b.tmp"] = "t",
            ["src/main.c"] = "c",
            [".dockerignore"] = "# comment\nsecret.txt\nlogs\ndocs/*\n!docs/keep.md\n**/*.tmp\n",
            ["Dockerfile"] = "FROM bb\nCOPY . /ctx\n",
            ["Dockerfile.secret"] = "FROM bb\nCOPY secret.txt /s\n",
        });
        var build = Build(ctx, "-t", "ignored:1");
        Assert.True(build.ExitCode == 0, build.ToString());
        var tree = d.Ok("run", "--rm", "ignored:1", "sh", "-c", "cd /ctx && find . -type f | sort");
        Assert.Equal("./.dockerignore\n./Dockerfile\n./Dockerfile.secret\n./docs/keep.md\n./keep.txt\n./src/main.c", tree);
        var secret = Build(ctx, "-f", Path.Combine(ctx, "Dockerfile.secret"));
        Assert.NotEqual(0, secret.ExitCode);
        Assert.Contains("Dockerfile.secret:2: COPY failed: file not found in build context or excluded by .dockerignore: stat secret.txt", secret.Stderr);
    }

    [Fact]
    public void Bad_Dockerfiles_are_reported_with_file_and_line_all_at_once()
    {
        var ctx = Context("bad", new Dictionary<string, string>
        {
            ["Dockerfile"] = "FROM bb\nRUN true\nFOOBAR baz\nCOPY --from=nowhere /x /y\nCOPY ../etc/passwd /p\nCOPY missing.txt /m\nBOGUS\n",
        });
        var bad = Build(ctx);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Dockerfile:3: unknown instruction: FOOBAR", bad.Stderr);
        Assert.Contains("Dockerfile:7: unknown instruction: BOGUS", bad.Stderr);
        Assert.Contains("Dockerfile:4: COPY --from=nowhere: no stage or image named \"nowhere\"", bad.Stderr);
        Assert.Contains("Dockerfile:5: COPY failed: forbidden path outside the build context: ../etc/passwd", bad.Stderr);
        Assert.Contains("Dockerfile:6: COPY failed: file not found in build context", bad.Stderr);
        Assert.DoesNotContain("Step 1", bad.Stdout); // nothing ran

        File.WriteAllText(Path.Combine(ctx, "Dockerfile"), "FROM bb\nRUN echo before\nRUN exit 3\n");
        var failing = Build(ctx);
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("before", failing.Stdout);
        Assert.Contains("Dockerfile:3: The command '/bin/sh -c exit 3' returned a non-zero code: 3", failing.Stderr);
        Assert.Empty(d.Ok("ps", "-a", "--filter", "label=gitops.build", "-q"));

        File.WriteAllText(Path.Combine(ctx, "Dockerfile"), "FROM bb AS one\nRUN true\n");
        var target = Build(ctx, "--target", "two");
        Assert.Contains("failed to reach build target two", target.Stderr);
    }

    [Fact]
    public void Diff_and_commit_work_on_containers_of_built_images()
    {
        var ctx = Context("commit", new Dictionary<string, string> { ["Dockerfile"] = "FROM bb\nRUN mkdir /built && echo one > /built/one\nWORKDIR /built\n" });
        var built = Build(ctx, "-t", "tocommit:1");
        Assert.True(built.ExitCode == 0, built.ToString());
        var id = d.Ok("run", "-d", "tocommit:1", "sh", "-c", "echo two > two; rm one");
        d.Ok("wait", id);
        var diff = d.Ok("container", "diff", id).Split('\n');
        Assert.Contains("C /built", diff);
        Assert.Contains("A /built/two", diff);
        Assert.Contains("D /built/one", diff);
        d.Ok("commit", id, "committed-from-build:1");
        Assert.Equal("two", d.Ok("run", "--rm", "committed-from-build:1", "ls"));
        using var doc = JsonDocument.Parse(d.Ok("image", "inspect", "committed-from-build:1"));
        Assert.Equal(3, doc.RootElement[0].GetProperty("RootFS").GetProperty("diff_ids").GetArrayLength());
        d.Ok("rm", id);
    }

    [Fact]
    public void From_scratch_with_a_static_binary()
    {
        var ctx = Context("scratch", new Dictionary<string, string>
        {
            ["Dockerfile"] = "FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT [\"/bin/busybox\"]\nCMD [\"echo\", \"from scratch\"]\n",
        });
        File.Copy(Path.Combine(d.BusyboxRootfs, "bin", "busybox"), Path.Combine(ctx, "busybox"));
        var built = Build(ctx, "-t", "scratchy:1");
        Assert.True(built.ExitCode == 0, built.ToString());
        Assert.Equal("from scratch", d.Ok("run", "--rm", "scratchy:1"));
        Assert.Equal("busybox", d.Ok("run", "--rm", "scratchy:1", "ls", "/bin"));
        using var doc = JsonDocument.Parse(d.Ok("image", "inspect", "scratchy:1"));
        Assert.Equal(1, doc.RootElement[0].GetProperty("RootFS").GetProperty("diff_ids").GetArrayLength());
    }
}
