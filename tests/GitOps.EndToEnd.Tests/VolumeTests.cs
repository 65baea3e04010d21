using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>Named, anonymous and image volumes, binds and tmpfs, with real containers.</summary>
public sealed class VolumeTests(DaemonFixture d) : IClassFixture<DaemonFixture>
{
    string Mountpoint(string volume) => d.Ok("volume", "inspect", "-f", "{{.Mountpoint}}", volume);

    [Fact]
    public void A_writer_and_a_read_only_reader_share_a_volume_and_the_data_outlives_the_containers()
    {
        d.Ok("run", "--name", "writer", "-v", "shared:/data", "bb", "sh", "-c", "echo hello > /data/msg");
        Assert.Equal("hello", d.Ok("run", "--rm", "-v", "shared:/app/data:ro", "bb", "cat", "/app/data/msg"));
        var write = d.Cli("run", "--rm", "-v", "shared:/app/data:ro", "bb", "sh", "-c", "echo x > /app/data/other");
        Assert.NotEqual(0, write.ExitCode);
        Assert.Contains("Read-only file system", write.Stderr + write.Stdout);

        Assert.Equal("hello\n", File.ReadAllText(Path.Combine(Mountpoint("shared"), "msg")));
        Assert.Equal(Path.Combine(d.Root, "volumes", "shared", "_data"), Mountpoint("shared"));
        d.Ok("rm", "writer");
        Assert.Equal("hello", d.Ok("run", "--rm", "-v", "shared:/data", "bb", "cat", "/data/msg"));
        Assert.Equal("shared", d.Ok("volume", "rm", "shared"));
        var gone = d.Cli("volume", "inspect", "shared");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("No such volume: shared", gone.Stderr);
    }

    [Fact]
    public void Rm_and_prune_refuse_volumes_of_any_container_running_or_stopped()
    {
        d.Ok("create", "--name", "holder", "-v", "held:/d", "bb", "true");
        d.Ok("run", "--name", "exited", "-v", "held2:/d", "bb", "true");
        var running = d.Ok("run", "-d", "-v", "held3:/d", "bb", "sleep", "60");
        d.Ok("volume", "create", "--label", "purpose=test", "loose");
        var rm = d.Cli("volume", "rm", "held");
        Assert.Equal(1, rm.ExitCode);
        var holder = d.Ok("inspect", "-f", "{{.Id}}", "holder");
        Assert.Contains($"remove held: volume is in use - [{holder}]", rm.Stderr);

        var prune = d.Ok("volume", "prune", "-a", "-f", "--filter", "label=purpose=test");
        Assert.Equal("Deleted Volumes:\nloose\n\nTotal reclaimed space: 0B", prune);
        d.Ok("volume", "prune", "-a", "-f");
        var left = d.Ok("volume", "ls", "-q").Split('\n');
        Assert.Contains("held", left);
        Assert.Contains("held2", left);
        Assert.Contains("held3", left);
        d.Ok("rm", "-f", "holder", "exited", running);
        d.Ok("volume", "rm", "held", "held2", "held3");
    }

    [Fact]
    public void The_images_volume_content_is_copied_into_new_volumes_with_owners_and_modes()
    {
        var rootfs = Path.Combine(d.Dir, "volroot");
        Assert.Equal(0, Gitops.Exec("/bin/cp", null, null, DaemonFixture.Timeout, "-a", d.BusyboxRootfs, rootfs).ExitCode);
        Directory.CreateDirectory(Path.Combine(rootfs, "data", "sub"));
        File.WriteAllText(Path.Combine(rootfs, "data", "file"), "from the image\n");
        Assert.Equal(0, Gitops.Exec("/bin/chown", null, null, DaemonFixture.Timeout, "-R", "1234:5678", Path.Combine(rootfs, "data")).ExitCode);
        File.SetUnixFileMode(Path.Combine(rootfs, "data"), (UnixFileMode)0x1E8);         // 0750
        File.SetUnixFileMode(Path.Combine(rootfs, "data", "file"), (UnixFileMode)0x1A0); // 0640
        d.Ok("image", "import", "--change", "VOLUME /data", rootfs, "vimg");

        // An anonymous volume per container, filled from the image.
        var stat = d.Ok("run", "--name", "v1", "vimg", "sh", "-c", "stat -c '%a %u:%g' /data /data/file /data/sub; cat /data/file");
        Assert.Equal("750 1234:5678\n640 1234:5678\n755 1234:5678\nfrom the image", stat);
        using var doc = JsonDocument.Parse(d.Ok("inspect", "-f", "{{json .Mounts}}", "v1"));
        var m = Assert.Single(doc.RootElement.EnumerateArray());
        var name = m.GetProperty("Name").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", name);
        Assert.Equal(
            $$"""[{"Type":"volume","Name":"{{name}}","Source":"{{d.Root}}/volumes/{{name}}/_data","Destination":"/data","Driver":"local","Mode":"","RW":true,"Propagation":""}]""",
            doc.RootElement.GetRawText());
        Assert.True(File.Exists(Path.Combine(d.Root, "volumes", name, "_data", "file")));

        // A new named volume is filled too; one with content is left as it is; nocopy opts out.
        Assert.Equal("from the image", d.Ok("run", "--rm", "-v", "fresh:/data", "vimg", "cat", "/data/file"));
        d.Ok("run", "--rm", "-v", "prefilled:/p", "bb", "touch", "/p/mine");
        Assert.Equal("mine", d.Ok("run", "--rm", "-v", "prefilled:/data", "vimg", "ls", "/data"));
        Assert.Equal("", d.Ok("run", "--rm", "-v", "empty:/data:nocopy", "vimg", "ls", "/data"));

        // rm -v and --rm take anonymous volumes along; named ones stay.
        d.Ok("rm", "-v", "v1");
        var volumes = d.Ok("volume", "ls", "-q").Split('\n');
        Assert.DoesNotContain(name, volumes);
        var before = volumes.Length;
        d.Ok("run", "--rm", "vimg", "true");
        Assert.Equal(before, d.Ok("volume", "ls", "-q").Split('\n').Length);
        d.Ok("volume", "rm", "fresh", "prefilled", "empty");
        d.Ok("image", "rm", "vimg");
    }

    [Fact]
    public void Binds_tmpfs_and_the_mount_syntax()
    {
        var host = Path.Combine(d.Dir, "hostsrc");
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "h.txt"), "from the host");
        d.Ok("create", "--name", "binder", "-v", $"{host}:/h:ro", "--tmpfs", "/scratch:size=1m,mode=1770",
            "--mount", "type=tmpfs,dst=/t,tmpfs-size=2m", "bb", "sh", "-c",
            "cat /h/h.txt; echo; stat -c %a /scratch; grep -E ' /(scratch|t) ' /proc/mounts | cut -d' ' -f2,4; touch /h/x");
        var start = d.Cli("start", "-a", "binder");
        Assert.NotEqual(0, start.ExitCode); // the last command writes to the read-only bind
        var lines = start.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("from the host", lines[0]);
        Assert.Equal("1770", lines[1]);
        Assert.Contains("/scratch rw,nosuid,nodev,noexec,relatime,size=1024k,mode=1770", lines);
        Assert.Contains("/t rw,nosuid,nodev,noexec,relatime,size=2048k", lines);
        using (var doc = JsonDocument.Parse(d.Ok("inspect", "-f", "{{json .Mounts}}", "binder")))
        {
            // Docker's shapes: a bind has no Name or Driver; --tmpfs shows only in HostConfig.Tmpfs.
            Assert.Equal(
                $$"""[{"Type":"bind","Source":"{{host}}","Destination":"/h","Mode":"ro","RW":false,"Propagation":"rprivate"},{"Type":"tmpfs","Source":"","Destination":"/t","Mode":"","RW":true,"Propagation":""}]""",
                doc.RootElement.GetRawText());
        }
        d.Ok("rm", "binder");

        // -v creates a missing host directory; --mount refuses it, as Docker does.
        var created = Path.Combine(d.Dir, "made-by-v");
        d.Ok("run", "--rm", "-v", $"{created}:/n", "bb", "true");
        Assert.True(Directory.Exists(created));
        var missing = d.Cli("run", "--rm", "--mount", $"type=bind,src={d.Dir}/absent,dst=/m", "bb", "true");
        Assert.Equal(125, missing.ExitCode);
        Assert.Contains($"invalid mount config for type \"bind\": bind source path does not exist: {d.Dir}/absent", missing.Stderr);
        Assert.False(Directory.Exists(Path.Combine(d.Dir, "absent")));
    }

    [Fact]
    public void Bad_mounts_are_refused_with_every_reason_and_nothing_left_behind()
    {
        var before = d.Ok("volume", "ls", "-q");
        var r = d.Cli("run", "--name", "badmounts", "-v", "ok-vol:/ok", "-v", "/srv:/srv:Z", "-v", "bad name:/x", "--tmpfs", "relative",
            "--mount", "type=bind,target=/b", "bb", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("invalid mode: Z: SELinux relabeling is not supported", r.Stderr);
        Assert.Contains("\"bad name\" includes invalid characters for a local volume name", r.Stderr);
        Assert.Contains("invalid mount path: 'relative' mount path must be absolute", r.Stderr);
        Assert.Contains("invalid mount config for type \"bind\": field Source must not be empty", r.Stderr);
        Assert.Equal(1, d.Cli("inspect", "badmounts").ExitCode);
        Assert.Equal(before, d.Ok("volume", "ls", "-q"));
        var flag = d.Cli("run", "--mount", "type=bind,src=/a", "bb", "true");
        Assert.Equal(125, flag.ExitCode);
        Assert.Contains("invalid argument \"type=bind,src=/a\" for \"--mount\" flag: target is required", flag.Stderr);
    }

    [Fact]
    public void Volumes_with_driver_options_tmpfs_and_host_directory()
    {
        d.Ok("volume", "create", "--opt", "type=tmpfs", "--opt", "device=tmpfs", "--opt", "o=size=1m,uid=1000", "ramvol");
        var holder = d.Ok("run", "-d", "-v", "ramvol:/r", "bb", "sh", "-c", "echo in-ram > /r/f; sleep 60");
        Gitops.Eventually(() => File.Exists(Path.Combine(Mountpoint("ramvol"), "f")), TimeSpan.FromSeconds(10), "the write");
        // Mounted on the host while in use, so a second container shares it.
        Assert.Equal("in-ram 1000", d.Ok("run", "--rm", "-v", "ramvol:/r", "bb", "sh", "-c", "cat /r/f; stat -c %u /r").Replace('\n', ' '));
        d.Ok("rm", "-f", holder);
        Gitops.Eventually(() => !File.ReadAllText("/proc/self/mountinfo").Contains(Mountpoint("ramvol")), TimeSpan.FromSeconds(10), "the unmount");
        d.Ok("volume", "rm", "ramvol");

        var dir = Path.Combine(d.Dir, "bound-volume");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "sub", "s"), "sub file");
        d.Ok("volume", "create", "--opt", "type=none", "--opt", $"device={dir}", "--opt", "o=bind", "dirvol");
        Assert.Equal("sub file", d.Ok("run", "--rm", "-v", "dirvol:/v", "bb", "cat", "/v/sub/s"));
        Assert.Equal("s", d.Ok("run", "--rm", "--mount", "type=volume,src=dirvol,dst=/only,volume-subpath=sub", "bb", "ls", "/only"));
        d.Ok("volume", "rm", "dirvol");
        Assert.True(File.Exists(Path.Combine(dir, "sub", "s")), "removing the volume must not touch the bound directory");
    }

    [Fact]
    public void Volumes_and_their_uses_survive_a_daemon_kill()
    {
        d.Ok("run", "--name", "before-kill", "-v", "durable:/d", "bb", "sh", "-c", "echo kept > /d/f");
        d.KillDaemon();
        d.StartDaemon();
        Assert.Equal("kept", d.Ok("run", "--rm", "-v", "durable:/d", "bb", "cat", "/d/f"));
        Assert.Contains("volume is in use", d.Cli("volume", "rm", "durable").Stderr);
        d.Ok("rm", "before-kill");
        d.Ok("volume", "rm", "durable");
    }
}
