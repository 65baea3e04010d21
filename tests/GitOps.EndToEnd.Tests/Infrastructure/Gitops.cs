using System.Diagnostics;
using System.Text;

namespace GitOps.EndToEnd.Tests.Infrastructure;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string Out => Stdout.Trim();
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>The real gitops binary: $GITOPS_BIN, or out/gitops of this checkout (built by install.sh).</summary>
public static class Gitops
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Binary { get; } = Environment.GetEnvironmentVariable("GITOPS_BIN") is { Length: > 0 } b
        ? b : Path.Combine(RepoRoot, "out", "gitops");

    static string FindRepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "GitOps.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("cannot find the repository root (GitOps.sln)");
    }

    public static CliResult Run(string? socket, string? stdin, TimeSpan timeout, params string[] args) =>
        Exec(Binary, socket, stdin, timeout, args);

    public static CliResult Exec(string file, string? socket, string? stdin, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (socket is not null) psi.Environment["GITOPS_SOCKET"] = socket;
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.Append(e.Data).Append('\n'); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.Append(e.Data).Append('\n'); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} {string.Join(' ', args)} did not finish within {timeout}");
        }
        p.WaitForExit();
        return new CliResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Starts gitops without waiting (logs -f, events, a daemon).</summary>
    public static Process Start(string? socket, params string[] args)
    {
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (socket is not null) psi.Environment["GITOPS_SOCKET"] = socket;
        return Process.Start(psi)!;
    }

    public static void Eventually(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return;
            Thread.Sleep(50);
        }
        Assert.Fail($"timed out after {timeout.TotalSeconds}s waiting for {what}");
    }
}
