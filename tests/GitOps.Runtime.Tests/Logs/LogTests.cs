using System.Text;
using GitOps.Runtime.Logs;

namespace GitOps.Runtime.Tests.Logs;

public sealed class LogTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("logs-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Lines_are_split_timestamped_and_kept_per_stream()
    {
        var path = Path.Combine(_dir, "c-json.log");
        using (var output = new ContainerOutput(new JsonFileLog(path)))
        {
            output.Open(StdStream.Stdout, StdStream.Stderr);
            output.OnData(StdStream.Stdout, "one\ntw"u8);
            output.OnData(StdStream.Stderr, "err\n"u8);
            output.OnData(StdStream.Stdout, "o\nthree"u8);
            output.OnEof(StdStream.Stdout);
            Assert.False(output.Drained.IsCompleted);
            output.OnEof(StdStream.Stderr);
            Assert.True(output.Drained.IsCompleted);
        }
        var entries = JsonFileLog.Read(path).ToList();
        Assert.Equal(["one\n", "err\n", "two\n", "three"], entries.Select(e => Encoding.UTF8.GetString(e.Data.Span)));
        Assert.Equal([StdStream.Stdout, StdStream.Stderr, StdStream.Stdout, StdStream.Stdout], entries.Select(e => e.Stream));
        Assert.All(entries, e => Assert.True(DateTimeOffset.UtcNow - e.Time < TimeSpan.FromMinutes(1)));
        Assert.Contains("\"stream\":\"stderr\"", File.ReadAllText(path));
    }

    [Fact]
    public void Rotates_by_size_and_reads_oldest_first()
    {
        var path = Path.Combine(_dir, "r-json.log");
        using (var log = new JsonFileLog(path, maxSize: 300, maxFiles: 3))
            for (var i = 0; i < 40; i++) log.Write(new LogEntry(StdStream.Stdout, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes($"line {i}\n")));
        Assert.True(File.Exists(path + ".1"));
        Assert.True(File.Exists(path + ".2"));
        Assert.False(File.Exists(path + ".3"));
        var lines = JsonFileLog.Read(path).Select(e => Encoding.UTF8.GetString(e.Data.Span)).ToList();
        Assert.Equal("line 39\n", lines[^1]);
        // Oldest kept first, in order, with nothing in between missing.
        var numbers = lines.Select(l => int.Parse(l[5..].Trim())).ToList();
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
        Assert.All(JsonFileLog.Files(path), f => Assert.True(new FileInfo(f).Length <= 300));
    }

    [Fact]
    public void Long_lines_are_cut_at_16k_like_dockers()
    {
        var path = Path.Combine(_dir, "l-json.log");
        using (var output = new ContainerOutput(new JsonFileLog(path)))
        {
            output.Open(StdStream.Stdout);
            output.OnData(StdStream.Stdout, Encoding.ASCII.GetBytes(new string('x', 20000) + "\n"));
        }
        var entries = JsonFileLog.Read(path).ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal(16 * 1024, entries[0].Data.Length);
    }

    [Fact]
    public void Followers_get_history_then_live_entries_without_gap_or_duplicate()
    {
        var path = Path.Combine(_dir, "f-json.log");
        using var output = new ContainerOutput(new JsonFileLog(path));
        output.Open(StdStream.Stdout);
        output.OnData(StdStream.Stdout, "a\nb\n"u8);
        var (history, live) = output.Follow();
        output.OnData(StdStream.Stdout, "c\n"u8);
        output.CompleteSubscribers();
        var all = history.Select(e => Encoding.UTF8.GetString(e.Data.Span)).ToList();
        while (live.Reader.TryRead(out var e)) all.Add(Encoding.UTF8.GetString(e.Data.Span));
        Assert.Equal(["a\n", "b\n", "c\n"], all);
    }

    [Fact]
    public void A_torn_last_line_after_a_crash_is_skipped()
    {
        var path = Path.Combine(_dir, "t-json.log");
        File.WriteAllText(path, "{\"log\":\"ok\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}\n{\"log\":\"tor");
        Assert.Single(JsonFileLog.Read(path));
    }
}
