using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>system df against the files on disk; prune verbs, their confirmation and what they report.</summary>
public sealed class HousekeepingTests(DaemonFixture d) : IClassFixture<DaemonFixture>
{
    /// <summary>docker units.HumanSize, independently of the CLI's code.</summary>
    static string Human(double bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        var i = 0;
        while (bytes >= 1000 && i < units.Length - 1) { bytes /= 1000; i++; }
        return bytes.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) + units[i];
    }

    [Fact]
    public void System_df_matches_the_files_on_disk()
    {
        d.Ok("run", "--name", "dfwriter", "-v", "dfvol:/d", "bb", "sh", "-c",
            "head -c 300000 /dev/zero > /d/a; head -c 12345 /dev/zero > /d/b; ln /d/b /d/b2; ln -s a /d/link; head -c 4567 /dev/zero > /w");
        var runner = d.Ok("run", "-d", "--name", "dfrunner", "bb", "sh", "-c", "head -c 2000 /dev/zero > /r; sleep 120");
        Gitops.Eventually(() => d.Cli("exec", "dfrunner", "test", "-f", "/r").ExitCode == 0, TimeSpan.FromSeconds(10), "the runner's file");

        using var df = Api.Get(d, "system/df");
        var root = df.RootElement;
        var volume = root.GetProperty("Volumes").EnumerateArray().Single(v => v.GetProperty("Name").GetString() == "dfvol");
        var volumeBytes = Api.FindBytes(Path.Combine(d.Root, "volumes", "dfvol", "_data"));
        Assert.Equal(300000 + 12345 + 1, volumeBytes); // the hard link once, the symlink's one byte
        Assert.Equal(volumeBytes, volume.GetProperty("UsageData").GetProperty("Size").GetInt64());
        Assert.Equal(1, volume.GetProperty("UsageData").GetProperty("RefCount").GetInt64());

        long UpperBytes(string name) => Api.FindBytes(d.Ok("inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", name));
        var containers = root.GetProperty("Containers").EnumerateArray().ToDictionary(c => c.GetProperty("Id").GetString()!);
        Assert.Equal(UpperBytes("dfwriter"), containers[d.Ok("inspect", "-f", "{{.Id}}", "dfwriter")].GetProperty("SizeRw").GetInt64());
        Assert.True(UpperBytes("dfwriter") >= 4567);
        Assert.Equal(UpperBytes("dfrunner"), containers[runner].GetProperty("SizeRw").GetInt64());

        // Images: every unpacked layer and every blob of the store, each counted once.
        var storeBytes = Api.FindBytes(Path.Combine(d.Root, "image", "layers")) - LayerRecordBytes() + Api.FindBytes(Path.Combine(d.Root, "image", "blobs"));
        Assert.Equal(storeBytes, root.GetProperty("LayersSize").GetInt64());

        // The CLI's summary is those numbers in Docker's units.
        var table = d.Ok("system", "df").Split('\n');
        Assert.Matches(@"^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$", table[0]);
        var volumes = root.GetProperty("Volumes").EnumerateArray().ToList();
        var allVolumeBytes = volumes.Sum(v => v.GetProperty("UsageData").GetProperty("Size").GetInt64());
        var freeVolumeBytes = volumes.Where(v => v.GetProperty("UsageData").GetProperty("RefCount").GetInt64() == 0)
            .Sum(v => v.GetProperty("UsageData").GetProperty("Size").GetInt64());
        Assert.Matches($@"^Local Volumes\s+{volumes.Count}\s+\d+\s+{Escape(Human(allVolumeBytes))}\s+{Escape(Human(freeVolumeBytes))} \(\d+%\)$", table[3]);
        var allContainerBytes = containers.Values.Sum(c => c.GetProperty("SizeRw").GetInt64());
        Assert.Matches($@"^Containers\s+{containers.Count}\s+1\s+{Escape(Human(allContainerBytes))}\s+", table[2]);
        Assert.Matches($@"^Images\s+\d+\s+\d+\s+{Escape(Human(storeBytes))}\s+", table[1]);
        Assert.Contains("Local Volumes space usage:", d.Ok("system", "df", "-v"));

        d.Ok("rm", "-f", "dfwriter", runner);
        d.Ok("volume", "rm", "dfvol");
    }

    static string Escape(string s) => System.Text.RegularExpressions.Regex.Escape(s);

    /// <summary>layer.json beside each unpacked layer is the store's bookkeeping, not image content.</summary>
    long LayerRecordBytes() => Directory.GetDirectories(Path.Combine(d.Root, "image", "layers"))
        .Sum(l => new FileInfo(Path.Combine(l, "layer.json")).Length);

    [Fact]
    public void Prunes_ask_first_refuse_without_a_terminal_and_report_what_they_reclaimed()
    {
        d.Ok("run", "--name", "to-prune", "bb", "sh", "-c", "head -c 50000 /dev/zero > /junk");
        var stopped = d.Ok("inspect", "-f", "{{.Id}}", "to-prune");
        var upper = Api.FindBytes(d.Ok("inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", stopped));

        // No terminal to ask on and no --force: refused, nothing removed.
        var refused = d.CliWithInput("y\n", "container", "prune");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("standard input is not a terminal; use --force (-f)", refused.Stderr);
        Assert.Equal(0, d.Cli("inspect", stopped).ExitCode);

        // On a terminal, "N" keeps everything and "y" prunes.
        var no = Gitops.Exec("/usr/bin/script", d.Socket, "N\n", DaemonFixture.Timeout, "-qec", $"{Gitops.Binary} container prune", "/dev/null");
        Assert.Contains("WARNING! This will remove all stopped containers.", no.Stdout);
        Assert.Contains("Are you sure you want to continue? [y/N]", no.Stdout);
        Assert.Equal(0, d.Cli("inspect", stopped).ExitCode);
        var yes = Gitops.Exec("/usr/bin/script", d.Socket, "y\n", DaemonFixture.Timeout, "-qec", $"{Gitops.Binary} container prune", "/dev/null");
        Assert.Contains("Deleted Containers:", yes.Stdout);
        Assert.Contains(stopped, yes.Stdout);
        Assert.Contains($"Total reclaimed space: {Human(upper)}", yes.Stdout);
        Assert.NotEqual(0, d.Cli("inspect", stopped).ExitCode);

        // Volumes: anonymous ones by default, named ones with -a, never those in use.
        var user = d.Ok("run", "-d", "-v", "inuse:/x", "-v", "/anon-in-use", "bb", "sleep", "60");
        d.Ok("run", "--rm", "-v", "named-free:/x", "bb", "sh", "-c", "head -c 7000 /dev/zero > /x/f");
        d.Ok("run", "--name", "anon-holder", "-v", "/a", "bb", "sh", "-c", "head -c 3000 /dev/zero > /a/f");
        const string anon = "anon-holder";
        var anonName = d.Ok("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", anon);
        d.Ok("rm", anon);
        Assert.Equal($"Deleted Volumes:\n{anonName}\n\nTotal reclaimed space: {Human(3000)}", d.Ok("volume", "prune", "-f"));
        Assert.Equal($"Deleted Volumes:\nnamed-free\n\nTotal reclaimed space: {Human(7000)}", d.Ok("volume", "prune", "-a", "-f"));
        Assert.Contains("inuse", d.Ok("volume", "ls", "-q").Split('\n'));
        Assert.Equal(2, d.Ok("volume", "ls", "-q").Split('\n').Length);

        // Images: an unused image goes with -a; what it frees is what df said was reclaimable.
        d.Ok("image", "import", "--change", "LABEL junk=1", Path.Combine(d.BusyboxRootfs, "bin"), "junk");
        long reclaimable;
        using (var df = Api.Get(d, "system/df")) reclaimable = df.RootElement.GetProperty("ImagesReclaimable").GetInt64();
        Assert.True(reclaimable > 0);
        var images = d.Ok("image", "prune", "-a", "-f");
        Assert.Contains("untagged: junk:latest", images);
        Assert.EndsWith($"Total reclaimed space: {Human(reclaimable)}", images);
        Assert.Contains("bb:latest", d.Ok("images", "--format", "{{.Repository}}:{{.Tag}}")); // used by a container: kept

        // system prune: stopped containers, networks, anonymous volumes (asked for), dangling images.
        d.Ok("run", "--name", "last", "-v", "/scratch", "bb", "true");
        var system = d.Ok("system", "prune", "-f", "--volumes");
        Assert.Contains("Deleted Containers:", system);
        Assert.Contains("Deleted Volumes:", system);
        Assert.Matches(@"Total reclaimed space: \S+$", system);
        Assert.Equal(1, d.Cli("inspect", "last").ExitCode);
        Assert.Equal(0, d.Cli("network", "prune", "-f").ExitCode);
        d.Ok("rm", "-f", user);
        d.Ok("volume", "prune", "-a", "-f");
    }
}
