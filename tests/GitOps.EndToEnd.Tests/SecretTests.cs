using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.EndToEnd.Tests.Infrastructure;

namespace GitOps.EndToEnd.Tests;

/// <summary>Secrets and configs with real containers: files, owners, modes, variables, rotation, restarts, and no leak.</summary>
public sealed class SecretTests(DaemonFixture d) : IClassFixture<DaemonFixture>
{
    static string Sha256(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    static string Canary() => "gitops-canary-" + Guid.NewGuid().ToString("N");

    [Fact]
    public void A_secret_reaches_the_container_as_files_and_a_variable_and_nowhere_else()
    {
        var plaintext = Canary();
        var id = d.CliWithInput(plaintext, "secret", "create", "--label", "team=db", "db_password", "-");
        Assert.True(id.ExitCode == 0, id.ToString());
        Assert.Matches("^[a-z0-9]{25}$", id.Out);

        // Hashes, not values, cross the container's stdout: logs are under --root too.
        var run = d.Ok("run", "--name", "consumer",
            "--secret", "db_password",
            "--secret", "source=db_password,target=/etc/app/pw,uid=1000,gid=1001,mode=0400",
            "--secret-env", "DB_PASSWORD=db_password",
            "bb", "sh", "-c",
            "stat -c '%a %u:%g %s' /run/secrets/db_password /etc/app/pw; sha256sum /run/secrets/db_password /etc/app/pw | cut -d' ' -f1;" +
            " printf %s \"$DB_PASSWORD\" | sha256sum | cut -d' ' -f1; grep -E ' /(run/secrets|etc/app/pw) ' /proc/mounts | cut -d' ' -f2,3,4;" +
            " touch /run/secrets/new 2>/dev/null || echo read-only");
        var lines = run.Split('\n');
        Assert.Equal($"444 0:0 {plaintext.Length}", lines[0]);
        Assert.Equal($"400 1000:1001 {plaintext.Length}", lines[1]);
        Assert.Equal([Sha256(plaintext), Sha256(plaintext), Sha256(plaintext)], lines[2..5]);
        Assert.Contains(lines, l => l.StartsWith("/run/secrets tmpfs ro,nosuid,nodev,noexec", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("/etc/app/pw tmpfs ro,nosuid,nodev,noexec", StringComparison.Ordinal));
        Assert.Equal("read-only", lines[^1]);

        // exec sees the variable too (resolved again, not stored).
        var sleeper = d.Ok("run", "-d", "--secret-env", "DB_PASSWORD=db_password", "bb", "sleep", "60");
        Assert.Equal(Sha256(plaintext), d.Ok("exec", sleeper, "sh", "-c", "printf %s \"$DB_PASSWORD\" | sha256sum | cut -d' ' -f1"));

        // Metadata only, never the value; and the value is nowhere under --root nor in the daemon's log.
        var inspect = d.Ok("secret", "inspect", "db_password");
        Assert.Contains("\"team\": \"db\"", inspect);
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(plaintext));
        foreach (var text in new[] { inspect, d.Ok("inspect", "consumer"), d.Ok("secret", "ls"), d.Ok("events", "--since", "10m", "--until", "0s") })
        {
            Assert.DoesNotContain(plaintext, text);
            Assert.DoesNotContain(base64, text);
        }
        Assert.Empty(Api.FilesContaining(d.Root, plaintext, d.DaemonLog));
        Assert.Empty(Api.FilesContaining(d.Root, base64, d.DaemonLog));
        Assert.Equal("600", Gitops.Exec("/usr/bin/stat", null, null, DaemonFixture.Timeout, "-c", "%a", Path.Combine(d.Root, "secrets", "node.key")).Out);

        var rm = d.Cli("secret", "rm", "db_password");
        Assert.Equal(1, rm.ExitCode);
        Assert.Contains("secret 'db_password' is in use by the following containers:", rm.Stderr);
        d.Ok("rm", "-f", "consumer", sleeper);
        Assert.Equal("db_password", d.Ok("secret", "rm", "db_password"));
        Assert.Equal("", d.Ok("secret", "ls", "-q"));
    }

    [Fact]
    public void Secrets_still_mount_after_a_daemon_restart_and_after_kill_9()
    {
        var plaintext = Canary();
        Assert.Equal(0, d.CliWithInput(plaintext, "secret", "create", "api_token", "-").ExitCode);
        var hash = Sha256(plaintext);
        var svc = d.Ok("run", "-d", "--name", "svc", "--restart", "always", "--secret", "api_token", "bb", "sh", "-c",
            "sha256sum /run/secrets/api_token | cut -d' ' -f1; sleep 300");

        // A clean stop of the daemon (SIGTERM), then a kill -9: new containers and restarts still get the secret.
        Assert.Equal(0, Gitops.Exec("/bin/kill", null, null, DaemonFixture.Timeout, "-TERM", d.Daemon!.Id.ToString()).ExitCode);
        Assert.True(d.Daemon.WaitForExit(20_000));
        d.StartDaemon();
        Assert.Equal(hash, d.Ok("run", "--rm", "--secret", "api_token", "bb", "sh", "-c", "sha256sum /run/secrets/api_token | cut -d' ' -f1"));

        var pid = d.Ok("inspect", "-f", "{{.State.Pid}}", svc);
        d.KillDaemon();
        Gitops.Exec("/bin/kill", null, null, DaemonFixture.Timeout, "-9", pid); // dies while no daemon watches
        d.StartDaemon();
        Gitops.Eventually(() => d.Cli("logs", svc).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 2,
            TimeSpan.FromSeconds(20), "the restart policy to start svc again");
        d.Ok("restart", "-t", "1", svc);
        Gitops.Eventually(() => d.Cli("logs", svc).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 3,
            TimeSpan.FromSeconds(20), "the restarted svc to print");
        Assert.All(d.Ok("logs", svc).Split('\n'), l => Assert.Equal(hash, l));
        Assert.Equal(hash, d.Ok("run", "--rm", "--secret", "api_token", "bb", "sh", "-c", "sha256sum /run/secrets/api_token | cut -d' ' -f1"));
        Assert.Empty(Api.FilesContaining(d.Root, plaintext, d.DaemonLog));
        d.Ok("rm", "-f", svc);
        d.Ok("secret", "rm", "api_token");
    }

    [Fact]
    public void Rotation_by_version_and_by_name()
    {
        var (v1, v2, v3) = (Canary(), Canary(), Canary());
        Assert.Equal(0, d.CliWithInput(v1, "secret", "create", "rotating", "-").ExitCode);
        var c = d.Ok("create", "--secret", "rotating", "bb", "sh", "-c", "sha256sum /run/secrets/rotating | cut -d' ' -f1");
        Assert.Equal(Sha256(v1), d.Ok("start", "-a", c));
        Assert.Equal(0, d.CliWithInput(v2, "secret", "update", "rotating", "-").ExitCode);
        Assert.Equal("2", d.Ok("secret", "inspect", "-f", "{{.Version.Index}}", "rotating"));
        Assert.Equal(Sha256(v2), d.Ok("start", "-a", c)); // the next start reads the new version
        var stale = d.CliWithInput(v3, "secret", "update", "--version", "1", "rotating", "-");
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("update out of sequence", stale.Stderr);

        // By name: a new secret mounted under the old file name.
        Assert.Equal(0, d.CliWithInput(v3, "secret", "create", "rotating_v3", "-").ExitCode);
        Assert.Equal(Sha256(v3), d.Ok("run", "--rm", "--secret", "source=rotating_v3,target=rotating", "bb", "sh", "-c",
            "sha256sum /run/secrets/rotating | cut -d' ' -f1"));
        d.Ok("rm", c);
        d.Ok("secret", "rm", "rotating", "rotating_v3");
    }

    [Fact]
    public void Kubernetes_style_secrets_with_keys_and_configs()
    {
        var user = Path.Combine(d.Dir, "username");
        var pass = Path.Combine(d.Dir, "password");
        File.WriteAllText(user, "john.doe");
        var password = Canary();
        File.WriteAllText(pass, password);
        d.Ok("secret", "create", "--from-file", $"username={user}", "--from-file", $"password={pass}", "pets-secret");
        Assert.Equal("password,username", d.Ok("secret", "inspect", "-f", "{{join .Spec.Keys \",\"}}", "pets-secret"));
        File.WriteAllText(Path.Combine(d.Dir, "app.conf"), "listen 8080\n");
        d.Ok("config", "create", "app.conf", Path.Combine(d.Dir, "app.conf"));

        var out_ = d.Ok("run", "--rm",
            "--secret", "source=pets-secret,target=/etc/secrets,mode=0440",
            "--secret", "source=pets-secret,key=username,target=user",
            "--secret-env", "PETS_PASSWORD=pets-secret:password",
            "--config", "app.conf",
            "--config", "source=app.conf,target=/etc/app/app.conf,uid=33,mode=0440",
            "bb", "sh", "-c",
            "ls /etc/secrets | tr '\\n' ' '; echo; stat -c '%a' /etc/secrets/password; cat /run/secrets/user; echo; printf %s \"$PETS_PASSWORD\" | sha256sum | cut -d' ' -f1;" +
            " cat /app.conf; stat -c '%a %u' /app.conf /etc/app/app.conf; echo x > /app.conf 2>/dev/null || echo read-only");
        Assert.Equal(["password username ", "440", "john.doe", Sha256(password), "listen 8080", "444 0", "440 33", "read-only"], out_.Split('\n'));

        // A config's content is part of its inspect (as Docker's Spec.Data); a secret's never.
        Assert.Equal(Convert.ToBase64String("listen 8080\n"u8.ToArray()), d.Ok("config", "inspect", "-f", "{{.Spec.Data}}", "app.conf"));
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(password)), d.Ok("secret", "inspect", "pets-secret"));
        Assert.Empty(Api.FilesContaining(d.Root, password, d.DaemonLog));
        d.Ok("secret", "rm", "pets-secret");
        d.Ok("config", "rm", "app.conf");
    }

    [Fact]
    public void Mistakes_are_refused_clearly()
    {
        var missing = d.Cli("run", "--rm", "--secret", "nope", "--config", "nada", "--secret-env", "X=gone", "bb", "true");
        Assert.Equal(125, missing.ExitCode);
        Assert.Contains("secret not found: nope", missing.Stderr);
        Assert.Contains("config not found: nada", missing.Stderr);
        Assert.Contains("secret not found: gone (for environment variable X)", missing.Stderr);

        Assert.Equal(0, d.CliWithInput("v", "secret", "create", "dup", "-").ExitCode);
        var dup = d.CliWithInput("v", "secret", "create", "dup", "-");
        Assert.Equal(1, dup.ExitCode);
        Assert.Contains("secret dup already exists", dup.Stderr);
        var bad = d.CliWithInput("", "secret", "create", "-bad", "-");
        Assert.Contains("invalid name \"-bad\"", bad.Stderr);
        Assert.Contains("secret data must be larger than 0 and less than 512000 bytes", bad.Stderr);
        var flag = d.Cli("run", "--secret", "source=dup,colour=red", "bb", "true");
        Assert.Equal(125, flag.ExitCode);
        Assert.Contains("invalid field in secret request: colour", flag.Stderr);
        Assert.Contains("No such secret: absent", d.Cli("secret", "inspect", "absent").Stderr);
        d.Ok("secret", "rm", "dup");
    }
}
