using GitOps.Runtime.Images;

namespace GitOps.Runtime.Health;

/// <summary>
/// A health check ready to run: the argv of the probe and Docker's timings with their defaults filled
/// in (interval 30 s, timeout 30 s, start period 0, start interval 5 s, 3 retries).
/// </summary>
public sealed record HealthSpec(IReadOnlyList<string> Command, TimeSpan Interval, TimeSpan Timeout, TimeSpan StartPeriod,
    TimeSpan StartInterval, int Retries)
{
    /// <summary>Exec (Docker's kinds), or a connection the daemon makes inside the container's network namespace.</summary>
    public HealthCheckKind Kind { get; init; } = HealthCheckKind.Exec;
    public int Port { get; init; }
    /// <summary>HTTP-GET: the request path, and whether to speak TLS (unverified, as Kubernetes' HTTPS probes).</summary>
    public string Path { get; init; } = "/";
    public bool Https { get; init; }

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30), DefaultTimeout = TimeSpan.FromSeconds(30),
        DefaultStartInterval = TimeSpan.FromSeconds(5);
    public const int DefaultRetries = 3;

    /// <summary>Docker refuses durations under a millisecond (other than 0, which means the default).</summary>
    static readonly long MinimumNanos = 1_000_000;

    /// <summary>
    /// The check a container config asks for; null when there is none: no config, an empty Test
    /// (nothing to inherit from), ["NONE"], or a kind Docker does not know (it warns and runs nothing).
    /// CMD runs its arguments as they are; CMD-SHELL runs its one string with /bin/sh -c. Two kinds are
    /// gitops' own, for Kubernetes probes that need no tool in the image: ["HTTP-GET", PORT, PATH, "HTTP"|"HTTPS"]
    /// (healthy on a status from 200 to 399) and ["TCP", PORT] (healthy when a connection opens).
    /// </summary>
    public static HealthSpec? From(HealthConfig? config)
    {
        if (config?.Test is not { Count: > 0 } test) return null;
        if (test[0] is "HTTP-GET" or "TCP")
        {
            if (test.Count < 2 || !int.TryParse(test[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                return null;
            return new HealthSpec([],
                Duration(config.Interval, DefaultInterval), Duration(config.Timeout, DefaultTimeout),
                Duration(config.StartPeriod, TimeSpan.Zero), Duration(config.StartInterval, DefaultStartInterval),
                config.Retries > 0 ? config.Retries : DefaultRetries)
            {
                Kind = test[0] == "TCP" ? HealthCheckKind.Tcp : HealthCheckKind.Http, Port = port,
                Path = test.Count > 2 && test[2].StartsWith('/') ? test[2] : "/",
                Https = test.Count > 3 && string.Equals(test[3], "HTTPS", StringComparison.OrdinalIgnoreCase),
            };
        }
        IReadOnlyList<string>? argv = test[0] switch
        {
            "CMD" when test.Count > 1 => test.Skip(1).ToList(),
            // More than one string after CMD-SHELL become $0, $1, ... of the shell, as in Docker.
            "CMD-SHELL" when test.Count > 1 => ["/bin/sh", "-c", .. test.Skip(1)],
            _ => null,
        };
        if (argv is null) return null;
        return new HealthSpec(argv,
            Duration(config.Interval, DefaultInterval), Duration(config.Timeout, DefaultTimeout),
            Duration(config.StartPeriod, TimeSpan.Zero), Duration(config.StartInterval, DefaultStartInterval),
            config.Retries > 0 ? config.Retries : DefaultRetries);
    }

    static TimeSpan Duration(long nanos, TimeSpan fallback) => nanos > 0 ? TimeSpan.FromTicks(nanos / 100) : fallback;

    /// <summary>
    /// Docker's merge of a container's health check with its image's: no container check takes the
    /// image's; otherwise an empty Test and every zero timing are taken from the image.
    /// </summary>
    public static HealthConfig? Merge(HealthConfig? container, HealthConfig? image)
    {
        if (image is null) return container;
        if (container is null) return image;
        return new HealthConfig(
            container.Test is { Count: > 0 } ? container.Test : image.Test,
            container.Interval != 0 ? container.Interval : image.Interval,
            container.Timeout != 0 ? container.Timeout : image.Timeout,
            container.StartPeriod != 0 ? container.StartPeriod : image.StartPeriod,
            container.StartInterval != 0 ? container.StartInterval : image.StartInterval,
            container.Retries != 0 ? container.Retries : image.Retries);
    }

    /// <summary>Every reason the daemon refuses a health check, in Docker's words.</summary>
    public static IReadOnlyList<string> Validate(HealthConfig? config)
    {
        if (config is null) return [];
        var errors = new List<string>();
        void Check(string name, long nanos)
        {
            if (nanos != 0 && nanos < MinimumNanos) errors.Add($"{name} in Healthcheck cannot be less than 1ms");
        }
        Check("Interval", config.Interval);
        Check("Timeout", config.Timeout);
        if (config.Retries < 0) errors.Add("Retries in Healthcheck cannot be negative");
        Check("StartPeriod", config.StartPeriod);
        Check("StartInterval", config.StartInterval);
        if (config.Test is [("HTTP-GET" or "TCP") and var kind, ..] test &&
            (test.Count < 2 || !int.TryParse(test[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535))
            errors.Add($"{kind} health check needs a port from 1 to 65535, as [\"{kind}\", \"8080\"{(kind == "TCP" ? "" : ", \"/healthz\"")}]");
        return errors;
    }
}

public enum HealthCheckKind
{
    Exec,
    Http,
    Tcp,
}
