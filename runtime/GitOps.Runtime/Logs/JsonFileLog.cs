using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GitOps.Runtime.Logs;

/// <summary>
/// Docker's json-file log format: one {"log":..,"stream":..,"time":..} object per line, in
/// ID-json.log with size-based rotation to .1, .2, ... Written only by the output pump thread.
/// </summary>
public sealed class JsonFileLog : IDisposable
{
    public const long DefaultMaxSize = 20 * 1024 * 1024;
    public const int DefaultMaxFiles = 3;

    readonly string _path;
    readonly long _maxSize;
    readonly int _maxFiles;
    readonly Lock _gate = new();
    FileStream _file;
    readonly ArrayBufferWriter<byte> _buffer = new(4096);

    public JsonFileLog(string path, long maxSize = DefaultMaxSize, int maxFiles = DefaultMaxFiles)
    {
        _path = path;
        _maxSize = maxSize <= 0 ? long.MaxValue : maxSize;
        _maxFiles = Math.Max(1, maxFiles);
        _file = Open();
    }

    public string Path => _path;

    FileStream Open() => new(_path, new FileStreamOptions
    {
        Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
    });

    /// <summary>The lock under which entries are written: hold it to take a consistent snapshot for a follower.</summary>
    public Lock Gate => _gate;

    public void Write(in LogEntry entry)
    {
        lock (_gate)
        {
            _buffer.Clear();
            using (var w = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteString("log"u8, Encoding.UTF8.GetString(entry.Data.Span));
                w.WriteString("stream"u8, entry.Stream == StdStream.Stderr ? "stderr"u8 : "stdout"u8);
                w.WriteString("time"u8, FormatTime(entry.Time));
                w.WriteEndObject();
            }
            _buffer.Write("\n"u8);
            if (_file.Length + _buffer.WrittenCount > _maxSize && _file.Length > 0) Rotate();
            _file.Write(_buffer.WrittenSpan);
            _file.Flush();
        }
    }

    void Rotate()
    {
        _file.Dispose();
        if (_maxFiles == 1)
        {
            File.Delete(_path);
        }
        else
        {
            File.Delete($"{_path}.{_maxFiles - 1}");
            for (var i = _maxFiles - 2; i >= 1; i--)
                if (File.Exists($"{_path}.{i}")) File.Move($"{_path}.{i}", $"{_path}.{i + 1}");
            File.Move(_path, _path + ".1");
        }
        _file = Open();
    }

    /// <summary>RFC 3339 with nanoseconds, as Docker writes it.</summary>
    public static string FormatTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00Z";

    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }

    /// <summary>Files of a log, oldest first.</summary>
    public static IReadOnlyList<string> Files(string path, int maxFiles = 100)
    {
        var list = new List<string>();
        for (var i = maxFiles; i >= 1; i--)
            if (File.Exists($"{path}.{i}")) list.Add($"{path}.{i}");
        if (File.Exists(path)) list.Add(path);
        return list;
    }

    /// <summary>Reads entries from the log files (oldest first), up to the given byte length of the current file.</summary>
    public static IEnumerable<LogEntry> Read(string path, long? currentFileLimit = null)
    {
        foreach (var file in Files(path))
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Stream s = fs;
            if (file == path && currentFileLimit is { } limit) s = new LimitedStream(fs, limit);
            using var reader = new StreamReader(s, Encoding.UTF8);
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                if (Parse(line) is { } e) yield return e;
            }
        }
    }

    static LogEntry? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var log = root.GetProperty("log").GetString() ?? "";
            var stream = root.TryGetProperty("stream", out var s) && s.GetString() == "stderr" ? StdStream.Stderr : StdStream.Stdout;
            var time = root.TryGetProperty("time", out var t) && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed : DateTimeOffset.MinValue;
            return new LogEntry(stream, time, Encoding.UTF8.GetBytes(log));
        }
        catch (JsonException) { return null; } // a torn last line after a crash
        catch (KeyNotFoundException) { return null; }
    }

    sealed class LimitedStream(Stream inner, long limit) : ReadOnlyStream
    {
        long _read;
        public override int Read(byte[] buffer, int offset, int count)
        {
            var max = (int)Math.Min(count, limit - _read);
            if (max <= 0) return 0;
            var n = inner.Read(buffer, offset, max);
            _read += n;
            return n;
        }
        public override long Length => limit;
        public override long Position => _read;
    }
}
