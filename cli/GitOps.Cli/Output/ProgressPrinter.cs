using System.Text.Json;
using GitOps.Cli.Client;
using GitOps.Runtime.Images;
using Spectre.Console;

namespace GitOps.Cli.Output;

/// <summary>
/// Shows a pull/push/load/build stream of JSON lines. On a terminal, layers get live progress bars
/// (Spectre.Console); otherwise one plain line per layer state change, as docker prints into a pipe.
/// Build output ("stream") is passed through as it comes. An error line ends it as a failure.
/// </summary>
internal static class ProgressPrinter
{
    /// <summary>Prints the stream to <paramref name="writer"/>; returns the final aux ID if one came.</summary>
    public static async Task<string?> PrintAsync(Stream stream, TextWriter writer, bool quiet, CancellationToken ct)
    {
        var tty = !quiet && writer == Console.Out ? !Console.IsOutputRedirected : writer == Console.Error && !Console.IsErrorRedirected;
        using var reader = new StreamReader(stream);
        var messages = ReadAsync(reader, ct);
        return tty ? await LiveAsync(messages, writer, ct).ConfigureAwait(false) : await PlainAsync(messages, writer, quiet).ConfigureAwait(false);
    }

    static async IAsyncEnumerable<ProgressMessage> ReadAsync(StreamReader reader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0) continue;
            ProgressMessage? m;
            try { m = JsonSerializer.Deserialize(line, ProgressJson.Default.ProgressMessage); }
            catch (JsonException) { continue; }
            if (m is null) continue;
            // The daemon's error, in the stream: reported as any daemon error (run exits 125, others 1).
            if (m.Error is { } error) throw new ApiException(500, error);
            yield return m;
        }
    }

    static async Task<string?> PlainAsync(IAsyncEnumerable<ProgressMessage> messages, TextWriter writer, bool quiet)
    {
        string? aux = null;
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var m in messages.ConfigureAwait(false))
        {
            if (m.Aux?.Id is { } id) { aux = id; continue; }
            if (m.Stream is { } text) { if (!quiet) writer.Write(text); continue; }
            if (quiet || m.Status is null) continue;
            if (m.Id is null) { writer.WriteLine(m.Status); continue; }
            // Byte counts are for terminals; a pipe gets each state once.
            if (m.Detail is not null && last.GetValueOrDefault(m.Id) == m.Status) continue;
            last[m.Id] = m.Status;
            writer.WriteLine($"{m.Id}: {m.Status}");
        }
        writer.Flush();
        return aux;
    }

    static async Task<string?> LiveAsync(IAsyncEnumerable<ProgressMessage> messages, TextWriter writer, CancellationToken ct)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        string? aux = null;
        var after = new List<string>();
        await using var e = messages.GetAsyncEnumerator(ct);
        // Lines before the first layer (the "Pulling from" header, build output) go straight out.
        while (true)
        {
            if (!await e.MoveNextAsync().ConfigureAwait(false)) return aux;
            var m = e.Current;
            if (m.Aux?.Id is { } id) { aux = id; continue; }
            if (m.Stream is { } text) { writer.Write(text); continue; }
            if (m.Id is null) { if (m.Status is not null) writer.WriteLine(m.Status); continue; }
            break;
        }
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new DownloadedColumn(), new SpinnerColumn())
            .StartAsync(async live =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var more = true;
                while (more)
                {
                    var m = e.Current;
                    if (m.Aux?.Id is { } id) aux = id;
                    else if (m.Id is null) { if (m.Status is not null) after.Add(m.Status); else if (m.Stream is not null) after.Add(m.Stream.TrimEnd('\n')); }
                    else
                    {
                        if (!tasks.TryGetValue(m.Id, out var task))
                            tasks[m.Id] = task = live.AddTask(Markup.Escape(m.Id), autoStart: true, maxValue: 1);
                        task.Description = Markup.Escape($"{m.Id}: {m.Status}");
                        if (m.Detail is { } d)
                        {
                            if (d.Total is > 0 and var total) task.MaxValue = total;
                            task.Value = d.Current;
                        }
                        if (m.Status is "Pull complete" or "Already exists" or "Pushed" or "Layer already exists" or "Mounted" or "Loading layer done")
                        {
                            task.Value = task.MaxValue;
                            task.StopTask();
                        }
                    }
                    more = await e.MoveNextAsync().ConfigureAwait(false);
                }
                foreach (var t in tasks.Values) t.StopTask();
            }).ConfigureAwait(false);
        foreach (var line in after) writer.WriteLine(line);
        return aux;
    }
}
