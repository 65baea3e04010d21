using System.Formats.Tar;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests.Security;

/// <summary>
/// gitops image load reads an archive's manifest.json, index.json and oci-layout only as regular
/// files of the archive: a symlink among them would make the daemon read a host file.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ImageLoadTests(DaemonFixture d)
{
    [Theory]
    [InlineData("manifest.json", false)]
    [InlineData("index.json", true)]
    [InlineData("oci-layout", true)]
    public void A_symlinked_top_level_file_is_refused_without_reading_the_host(string linked, bool ociLayout)
    {
        // The link points at a FIFO on the host: opening it would hang the load, so a prompt,
        // clear refusal shows the daemon never opened the link's target.
        var fifo = Path.Combine(d.Dir, "host-fifo-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(0, Gitops.Exec("/usr/bin/mkfifo", null, null, DaemonFixture.Timeout, fifo).ExitCode);
        var tar = Path.Combine(d.Dir, $"evil-{linked}.tar");
        try
        {
            using (var file = File.Create(tar))
            using (var writer = new TarWriter(file, TarEntryFormat.Pax))
            {
                void Regular(string name, string text)
                {
                    var e = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) };
                    writer.WriteEntry(e);
                }
                var files = new Dictionary<string, string> { ["manifest.json"] = "[]" };
                if (ociLayout)
                {
                    files["oci-layout"] = """{"imageLayoutVersion":"1.0.0"}""";
                    files["index.json"] = """{"schemaVersion":2,"manifests":[]}""";
                }
                foreach (var (name, text) in files)
                {
                    if (name == linked) writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = fifo });
                    else Regular(name, text);
                }
            }
            var r = d.Cli("load", "-i", tar);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains($"invalid image archive: {linked} is a symbolic link, not a regular file", r.Stderr + r.Stdout);
        }
        finally
        {
            File.Delete(tar);
            File.Delete(fifo);
        }
    }
}
