namespace GitOps.Runtime.Logs;

public enum StdStream : byte { Stdin = 0, Stdout = 1, Stderr = 2 }

/// <summary>One line (or a 16 KiB piece of a longer one) a container wrote, with the time the daemon read it.</summary>
public readonly record struct LogEntry(StdStream Stream, DateTimeOffset Time, ReadOnlyMemory<byte> Data);
