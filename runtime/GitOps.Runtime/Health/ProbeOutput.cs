using System.Text;

namespace GitOps.Runtime.Health;

/// <summary>
/// A probe's stdout and stderr together, as Docker's limitedBuffer keeps them: the first 4 KiB, and
/// "..." after them when more was written. What is beyond the limit is read and dropped, so a
/// chatty probe never blocks on a full pipe.
/// </summary>
internal sealed class ProbeOutput
{
    public const int MaxBytes = 4096;
    readonly MemoryStream _bytes = new();
    readonly Lock _gate = new();
    bool _truncated;

    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            var keep = (int)Math.Min(MaxBytes - _bytes.Length, data.Length);
            if (keep > 0) _bytes.Write(data[..keep]);
            if (keep < data.Length) _truncated = true;
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            var text = Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
            return _truncated ? text + "..." : text;
        }
    }
}
