using System.Diagnostics;
using System.Globalization;

namespace GitOps.Bench;

/// <summary>Timing helpers and the table every benchmark prints.</summary>
public static class Measure
{
    public sealed record Series(string Name, IReadOnlyList<double> Millis)
    {
        public double P50 => Percentile(0.50);
        public double P90 => Percentile(0.90);
        public double P95 => Percentile(0.95);
        public double Mean => Millis.Average();
        double Percentile(double p)
        {
            var sorted = Millis.Order().ToList();
            var rank = (int)Math.Ceiling(p * sorted.Count) - 1;
            return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
        }
    }

    public static Series Repeat(string name, int warmup, int runs, Action action)
    {
        for (var i = 0; i < warmup; i++) action();
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return new Series(name, times);
    }

    public static async Task<Series> RepeatAsync(string name, int warmup, int runs, Func<Task> action)
    {
        for (var i = 0; i < warmup; i++) await action();
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            await action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return new Series(name, times);
    }

    /// <summary>Prints p50/p95/mean and each row's p50 as a ratio to <paramref name="baseline"/>'s.</summary>
    public static void PrintLatency(string title, IReadOnlyList<Series> rows, Series baseline)
    {
        Console.WriteLine($"\n## {title}");
        Console.WriteLine($"{"",-34} {"p50 ms",9} {"p95 ms",9} {"mean ms",9} {"runs",5}   p50 vs {baseline.Name}");
        foreach (var r in rows)
        {
            var ratio = r.P50 / baseline.P50;
            var text = r == baseline ? "1.00x" : ratio >= 1 ? $"{ratio:0.00}x slower" : $"{1 / ratio:0.00}x faster";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-34} {r.P50,9:0.00} {r.P95,9:0.00} {r.Mean,9:0.00} {r.Millis.Count,5}   {text}"));
        }
    }

    public static string Run(string file, params string[] args)
    {
        var r = TryRun(file, args);
        if (r.Code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({r.Code}): {r.Output}");
        return r.Output;
    }

    public static (int Code, string Output) TryRun(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Removes a benchmark's temporary directory, unmounting what containers left mounted under it first.</summary>
    public static void RemoveScratch(string dir) =>
        TryRun("/bin/sh", "-c", $"for m in $(grep {dir} /proc/mounts | cut -d' ' -f2 | sort -r); do umount -l $m; done; rm -rf {dir}");

    /// <summary>Runs a command with <paramref name="stdin"/> as its input; throws when it fails.</summary>
    public static string RunWithInput(string file, string stdin, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stdout.Result}{stderr.Result}");
        return stdout.Result;
    }

    public static bool Exists(string command) => TryRun("/bin/sh", "-c", $"command -v {command}").Code == 0;

    /// <summary>Resident memory of a process and its descendants, in MiB (from /proc).</summary>
    public static double RssMiB(params int[] pids)
    {
        long kb = 0;
        foreach (var pid in pids)
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (line is not null) kb += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            }
            catch (IOException) { }
        }
        return kb / 1024.0;
    }

    /// <summary>Proportional set size of processes, in MiB: pages shared among them (one binary's text in many shims) counted once in all.</summary>
    public static double PssMiB(params int[] pids)
    {
        long kb = 0;
        foreach (var pid in pids)
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal));
                if (line is not null) kb += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            }
            catch (IOException) { }
        }
        return kb / 1024.0;
    }

    public static IEnumerable<int> Descendants(int pid)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var p)) continue;
            try
            {
                var stat = File.ReadAllText($"{dir}/stat");
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                if (!children.TryGetValue(ppid, out var list)) children[ppid] = list = [];
                list.Add(p);
            }
            catch (IOException) { }
        }
        var result = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.Count > 0)
        {
            var p = queue.Dequeue();
            result.Add(p);
            foreach (var c in children.GetValueOrDefault(p) ?? []) queue.Enqueue(c);
        }
        return result;
    }
}
