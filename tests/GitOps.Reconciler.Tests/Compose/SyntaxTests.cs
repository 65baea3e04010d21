using GitOps.Reconciler.Compose;
using GitOps.Reconciler.Values;

namespace GitOps.Reconciler.Tests.Compose;

/// <summary>Short syntaxes, units and interpolation.</summary>
public sealed class SyntaxTests
{
    [Theory]
    [InlineData("3000", "|3000||tcp")]
    [InlineData("8000:8000", "|8000|8000|tcp")]
    [InlineData("127.0.0.1:8001:8001/udp", "127.0.0.1|8001|8001|udp")]
    [InlineData("127.0.0.1::5000", "127.0.0.1|5000||tcp")]
    [InlineData("[::1]:80:8080", "::1|8080|80|tcp")]
    [InlineData("9090-9091:8080-8081", "|8080|9090|tcp;|8081|9091|tcp")]
    public void PortShortSyntax(string text, string expected)
    {
        var ports = PortSyntax.Parse(text, out var error);
        Assert.Null(error);
        Assert.Equal(expected, string.Join(";", ports.Select(p => $"{p.HostIp}|{p.Target}|{p.Published}|{p.Protocol}")));
    }

    [Theory]
    [InlineData("80:90:100:110")]
    [InlineData("abc")]
    [InlineData("1-2:3-5")]
    [InlineData("80/sctpx")]
    [InlineData("1-60000")]
    public void InvalidPorts(string text)
    {
        PortSyntax.Parse(text, out var error);
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("data:/var/lib/data", "data", "/var/lib/data", false, false)]
    [InlineData("./static:/www:ro", "./static", "/www", true, true)]
    [InlineData("/var/lib/anonymous", null, "/var/lib/anonymous", false, false)]
    [InlineData("~/configs:/etc/configs:ro", "~/configs", "/etc/configs", true, true)]
    public void VolumeShortSyntax(string text, string? source, string target, bool bind, bool readOnly)
    {
        var v = VolumeSyntax.Parse(text, out var error)!;
        Assert.Null(error);
        Assert.Equal((source, target, bind, readOnly), (v.Source, v.Target, v.Bind, v.ReadOnly));
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("500ms", 500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("0", 0)]
    public void GoDurations(string text, long ms)
    {
        Assert.True(GoDuration.TryParse(text, out var v));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), v);
    }

    [Theory]
    [InlineData(90_000, "1m30s")]
    [InlineData(1_500, "1s500ms")]
    [InlineData(0, "0s")]
    [InlineData(3_600_000, "1h")]
    public void CanonicalDurations(long ms, string text) => Assert.Equal(text, GoDuration.Format(TimeSpan.FromMilliseconds(ms)));

    [Theory]
    [InlineData("512m", 512L * 1024 * 1024)]
    [InlineData("1.5GB", 1536L * 1024 * 1024)]
    [InlineData("10000", 10000)]
    [InlineData("20k", 20480)]
    public void ByteSizes(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var v));
        Assert.Equal(bytes, v);
    }

    [Theory]
    [InlineData("100Mi", 104857600)]
    [InlineData("1G", 1000000000)]
    [InlineData("1e3", 1000)]
    [InlineData("0.5Ki", 512)]
    public void KubernetesMemoryQuantities(string text, long bytes)
    {
        Assert.True(Quantity.TryParseBytes(text, out var v));
        Assert.Equal(bytes, v);
    }

    [Theory]
    [InlineData("500m", 500_000_000)]
    [InlineData("2", 2_000_000_000)]
    [InlineData("0.1", 100_000_000)]
    public void KubernetesCpuQuantities(string text, long nano)
    {
        Assert.True(Quantity.TryParseNanoCpus(text, out var v));
        Assert.Equal(nano, v);
    }

    [Theory]
    [InlineData("$A", "a")]
    [InlineData("${A}-${B}", "a-")]
    [InlineData("${B:-def}", "def")]
    [InlineData("${E:-def}", "def")]
    [InlineData("${E-def}", "")]
    [InlineData("${B-def}", "def")]
    [InlineData("${A:+alt}", "alt")]
    [InlineData("${E:+alt}", "")]
    [InlineData("${E+alt}", "alt")]
    [InlineData("${B:-${A:-x}y}", "ay")]
    [InlineData("$$A costs $$5", "$A costs $5")]
    [InlineData("${A:-${B:?not evaluated}}", "a")]
    public void Interpolation(string template, string expected)
    {
        var env = new Dictionary<string, string> { ["A"] = "a", ["E"] = "" };
        Assert.Equal(expected, new Interpolator(k => env.GetValueOrDefault(k)).Expand(template, _ => { }));
    }

    [Theory]
    [InlineData("${B:?B is needed}", "required variable B is missing a value: B is needed")]
    [InlineData("${E:?}", "required variable E is missing a value")]
    [InlineData("${A", "invalid interpolation format \"${A\": you may need to escape any $ with another $")]
    [InlineData("cost: $5", "invalid interpolation format \"cost: $5\": you may need to escape any $ with another $")]
    public void InterpolationErrors(string template, string message)
    {
        var env = new Dictionary<string, string> { ["A"] = "a", ["E"] = "" };
        var e = Assert.Throws<InterpolationException>(() => new Interpolator(k => env.GetValueOrDefault(k)).Expand(template, _ => { }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void UnsetVariablesAreReported()
    {
        var unset = new List<string>();
        new Interpolator(_ => null).Expand("${X}/${Y:-y}/$Z", unset.Add);
        Assert.Equal(["X", "Z"], unset);
    }

    [Fact]
    public void StackDialectTakesDefaultsLiterally()
    {
        Assert.Equal("a:$2y$05$hash", new Interpolator(_ => null, stackDialect: true).Expand("a:${P:-$2y$05$hash}", _ => { }));
    }
}
