using System.CommandLine;
using GitOps.Cli.Output;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Images;

namespace GitOps.Cli.Commands;

/// <summary>The flags shared by run and create, and their translation into a create request.</summary>
internal sealed class CreateOptions
{
    public readonly Option<string?> Name = new("--name") { Description = "Assign a name to the container" };
    public readonly Option<string[]> Env = new("--env", "-e") { Description = "Set environment variables (KEY=VALUE, or KEY to pass the CLI's value)" };
    public readonly Option<string[]> EnvFile = new("--env-file") { Description = "Read in a file of environment variables" };
    public readonly Option<string?> Workdir = new("--workdir", "-w") { Description = "Working directory inside the container" };
    public readonly Option<string?> User = new("--user", "-u") { Description = "Username or UID (format: <name|uid>[:<group|gid>])" };
    public readonly Option<string?> Hostname = new("--hostname") { Description = "Container host name" };
    public readonly Option<string?> Entrypoint = new("--entrypoint") { Description = "Overwrite the default ENTRYPOINT of the image" };
    public readonly Option<string?> Memory = new("--memory", "-m") { Description = "Memory limit (e.g. 16m, 1g)" };
    public readonly Option<string?> MemorySwap = new("--memory-swap") { Description = "Swap limit equal to memory plus swap: -1 for unlimited" };
    public readonly Option<string?> Cpus = new("--cpus") { Description = "Number of CPUs (e.g. 1.5)" };
    public readonly Option<long?> CpuShares = new("--cpu-shares", "-c") { Description = "CPU shares (relative weight)" };
    public readonly Option<long?> PidsLimit = new("--pids-limit") { Description = "Tune container pids limit (-1 for unlimited)" };
    public readonly Option<string?> Restart = new("--restart") { Description = "Restart policy: no, on-failure[:max-retries], always, unless-stopped" };
    public readonly Option<bool> Init = new("--init") { Description = "Run an init inside the container that forwards signals and reaps processes" };
    public readonly Option<bool> Interactive = new("--interactive", "-i") { Description = "Keep STDIN open even if not attached" };
    public readonly Option<bool> Tty = new("--tty", "-t") { Description = "Allocate a pseudo-TTY" };
    public readonly Option<string[]> Label = new("--label", "-l") { Description = "Set meta data on a container" };
    public readonly Option<string?> StopSignal = new("--stop-signal") { Description = "Signal to stop the container" };
    public readonly Option<int?> StopTimeout = new("--stop-timeout") { Description = "Timeout (in seconds) to stop a container" };
    public readonly Option<bool> ReadOnly = new("--read-only") { Description = "Mount the container's root filesystem as read only" };
    public readonly Option<string?> Network = new("--network", "--net") { Description = "Connect a container to a network (none, host, container:NAME)" };
    public readonly Option<string[]> Publish = new("--publish", "-p") { Description = "Publish a container's port to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/PROTO])" };
    public readonly Option<bool> PublishAll = new("--publish-all", "-P") { Description = "Publish all exposed ports to free host ports" };
    public readonly Option<string[]> Expose = new("--expose") { Description = "Expose a port or a range of ports" };
    public readonly Option<string[]> NetworkAlias = new("--network-alias") { Description = "Add a network-scoped alias for the container" };
    public readonly Option<string?> Ip = new("--ip") { Description = "IPv4 address on the network of --network" };
    public readonly Option<string[]> CapAdd = new("--cap-add") { Description = "Add Linux capabilities" };
    public readonly Option<string[]> CapDrop = new("--cap-drop") { Description = "Drop Linux capabilities" };
    public readonly Option<bool> Privileged = new("--privileged") { Description = "Give extended privileges to this container (all capabilities and devices, no seccomp filter)" };
    public readonly Option<string?> Pid = new("--pid") { Description = "PID namespace to use (host, container:NAME)" };
    public readonly Option<string?> Ipc = new("--ipc") { Description = "IPC mode to use (private, shareable, none, host, container:NAME)" };
    public readonly Option<string[]> SecurityOpt = new("--security-opt") { Description = "Security options (seccomp=unconfined|PROFILE.json, no-new-privileges[=false], writable-cgroups)" };
    public readonly Option<string[]> Device = new("--device") { Description = "Add a host device to the container (HOST[:CONTAINER][:PERMISSIONS])" };
    public readonly Option<string[]> LogOpt = new("--log-opt") { Description = "Log driver options (max-size, max-file)" };
    public readonly Option<string?> HealthCmd = new("--health-cmd") { Description = "Command to run to check health" };
    public readonly Option<string?> HealthInterval = new("--health-interval") { Description = "Time between running the check (ms|s|m|h)" };
    public readonly Option<string?> HealthTimeout = new("--health-timeout") { Description = "Maximum time to allow one check to run (ms|s|m|h)" };
    public readonly Option<string?> HealthStartPeriod = new("--health-start-period") { Description = "Start period for the container to initialize (ms|s|m|h)" };
    public readonly Option<int?> HealthRetries = new("--health-retries") { Description = "Consecutive failures needed to report unhealthy" };
    public readonly Option<string?> HealthStartInterval = new("--health-start-interval") { Description = "Time between running the check during the start period (ms|s|m|h)" };
    public readonly Option<bool> NoHealthcheck = new("--no-healthcheck") { Description = "Disable any container-specified HEALTHCHECK" };
    public readonly Option<string> Pull = new("--pull") { Description = "Pull image before running (always, missing, never)", DefaultValueFactory = _ => "missing" };
    public readonly Option<string?> Platform = new("--platform") { Description = "Set platform if server is multi-platform capable (os/arch[/variant])" };
    public readonly StorageOptions Storage = new();
    public readonly Argument<string> Image = new("image") { Description = "The image to run" };
    public readonly Argument<string[]> Command = new("command") { Description = "Command and arguments", Arity = ArgumentArity.ZeroOrMore };

    public IEnumerable<Option> Options =>
    [
        Name, Env, EnvFile, Workdir, User, Hostname, Entrypoint, Memory, MemorySwap, Cpus, CpuShares, PidsLimit, Restart, Init,
        Interactive, Tty, Label, StopSignal, StopTimeout, ReadOnly, Network, Publish, PublishAll, Expose, NetworkAlias, Ip, CapAdd, CapDrop, Privileged, Pid, Ipc, SecurityOpt, Device, LogOpt, HealthCmd, HealthInterval,
        HealthTimeout, HealthStartPeriod, HealthStartInterval, HealthRetries, NoHealthcheck, Pull, Platform, .. Storage.Options,
    ];

    public void AddTo(Command command)
    {
        foreach (var o in Options) command.Options.Add(o);
        command.Arguments.Add(Image);
        command.Arguments.Add(Command);
    }

    /// <summary>Every option that takes a value, by each of its names (for the pass-through split).</summary>
    public static IReadOnlySet<string> ValueOptions(IEnumerable<Option> options) =>
        options.Where(o => o.ValueType != typeof(bool)).SelectMany(o => new[] { o.Name }.Concat(o.Aliases)).ToHashSet();

    public CreateRequest Build(ParseResult pr, bool attachStdin)
    {
        var env = new List<string>();
        foreach (var file in pr.GetValue(EnvFile) ?? []) env.AddRange(ReadEnvFile(file));
        // -e KEY (no value) passes the CLI's own value, and nothing when the CLI has none, as docker does.
        foreach (var e in pr.GetValue(Env) ?? [])
        {
            if (e.Contains('=')) env.Add(e);
            else if (Environment.GetEnvironmentVariable(e) is { } v) env.Add($"{e}={v}");
        }
        var labels = new Dictionary<string, string>();
        foreach (var l in pr.GetValue(Label) ?? [])
        {
            var eq = l.IndexOf('=');
            labels[eq < 0 ? l : l[..eq]] = eq < 0 ? "" : l[(eq + 1)..];
        }
        var memory = pr.GetValue(Memory) is { } m ? Human.ParseBytes(m, "memory value") : 0;
        var swap = pr.GetValue(MemorySwap) switch { null => 0, "-1" => -1, var s => Human.ParseBytes(s, "memory-swap value") };
        long nanoCpus = 0;
        if (pr.GetValue(Cpus) is { } cpus)
        {
            if (!double.TryParse(cpus, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var c) || c < 0)
                throw new FormatException($"invalid argument \"{cpus}\" for \"--cpus\" flag: expected a number such as 1.5");
            nanoCpus = (long)(c * 1e9);
        }
        long logMax = Runtime.Logs.JsonFileLog.DefaultMaxSize;
        var logFiles = Runtime.Logs.JsonFileLog.DefaultMaxFiles;
        foreach (var opt in pr.GetValue(LogOpt) ?? [])
        {
            var eq = opt.IndexOf('=');
            var (k, v) = eq < 0 ? (opt, "") : (opt[..eq], opt[(eq + 1)..]);
            switch (k)
            {
                case "max-size": logMax = Human.ParseBytes(v, "max-size"); break;
                case "max-file": logFiles = int.TryParse(v, out var n) && n > 0 ? n : throw new FormatException($"invalid max-file \"{v}\""); break;
                default: throw new FormatException($"unknown log opt '{k}' for json-file log driver");
            }
        }
        var entrypoint = pr.GetValue(Entrypoint);
        var command = pr.GetValue(Command) ?? [];
        var network = pr.GetValue(Network) ?? "bridge";
        var endpoints = new Dictionary<string, Runtime.Networking.EndpointRequest>();
        if ((pr.GetValue(NetworkAlias) ?? []).Length > 0 || pr.GetValue(Ip) is not null)
            endpoints[network is "default" ? "bridge" : network] = new Runtime.Networking.EndpointRequest
            {
                Aliases = pr.GetValue(NetworkAlias) ?? [], IPv4Address = pr.GetValue(Ip),
            };
        var exposed = new List<string>();
        foreach (var e in pr.GetValue(Expose) ?? [])
            exposed.AddRange(PortSpec.Parse([e]).Keys);
        return Storage.Apply(pr, new CreateRequest
        {
            Image = pr.GetValue(Image)!,
            Name = pr.GetValue(Name),
            Cmd = command.Length > 0 ? command : null,
            Entrypoint = entrypoint is null ? null : [entrypoint],
            Env = env,
            WorkingDir = pr.GetValue(Workdir),
            User = pr.GetValue(User),
            Hostname = pr.GetValue(Hostname),
            Tty = pr.GetValue(Tty),
            OpenStdin = pr.GetValue(Interactive),
            StdinOnce = attachStdin && pr.GetValue(Interactive),
            Labels = labels,
            StopSignal = pr.GetValue(StopSignal),
            StopTimeout = pr.GetValue(StopTimeout),
            Healthcheck = BuildHealth(pr),
            ExposedPorts = exposed,
            Networks = endpoints,
            HostConfig = new HostConfig
            {
                AutoRemove = pr.GetValue(ContainerCommands.Rm),
                RestartPolicy = RestartPolicy.Parse(pr.GetValue(Restart)),
                Init = pr.GetValue(Init),
                Memory = memory,
                MemorySwap = swap,
                NanoCpus = nanoCpus,
                CpuShares = pr.GetValue(CpuShares) ?? 0,
                PidsLimit = pr.GetValue(PidsLimit) ?? 0,
                NetworkMode = network,
                PortBindings = PortSpec.Parse(pr.GetValue(Publish) ?? []),
                PublishAllPorts = pr.GetValue(PublishAll),
                ReadonlyRootfs = pr.GetValue(ReadOnly),
                LogMaxSize = logMax,
                LogMaxFiles = logFiles,
                CapAdd = pr.GetValue(CapAdd) ?? [],
                CapDrop = pr.GetValue(CapDrop) ?? [],
                Privileged = pr.GetValue(Privileged),
                PidMode = pr.GetValue(Pid) ?? "",
                IpcMode = pr.GetValue(Ipc) ?? "",
                SecurityOpt = SecurityOpts(pr.GetValue(SecurityOpt) ?? []),
                Devices = (pr.GetValue(Device) ?? []).Select(ParseDevice).ToList(),
            },
        });
    }

    /// <summary>
    /// docker run's health flags: --no-healthcheck is Test ["NONE"] and excludes the others; any other
    /// flag makes a check whose unset parts (an empty Test, zero timings) come from the image's.
    /// </summary>
    HealthConfig? BuildHealth(ParseResult pr)
    {
        var cmd = pr.GetValue(HealthCmd);
        var durations = new[] { HealthInterval, HealthTimeout, HealthStartPeriod, HealthStartInterval };
        var any = cmd is { Length: > 0 } || pr.GetValue(HealthRetries) is not null || durations.Any(o => pr.GetValue(o) is not null);
        if (pr.GetValue(NoHealthcheck))
            return any ? throw new FormatException("--no-healthcheck conflicts with --health-* options") : new HealthConfig(["NONE"]);
        if (!any) return null;
        long Nanos(Option<string?> o) => pr.GetValue(o) is not { } v ? 0 :
            Daemon.Durations.TryParse(v, out var d) ? d.Ticks * 100
                : throw new FormatException($"invalid argument \"{v}\" for \"{o.Name}\" flag: expected a duration such as 30s");
        if (pr.GetValue(HealthRetries) is < 0) throw new FormatException("--health-retries cannot be negative");
        return new HealthConfig(cmd is { Length: > 0 } ? ["CMD-SHELL", cmd] : null,
            Nanos(HealthInterval), Nanos(HealthTimeout), Nanos(HealthStartPeriod), Nanos(HealthStartInterval), pr.GetValue(HealthRetries) ?? 0);
    }

    static DeviceMapping ParseDevice(string spec)
    {
        try { return Runtime.Security.HostDevices.Parse(spec); }
        catch (Runtime.InvalidArgumentException e) { throw new FormatException(e.Message); }
    }

    /// <summary>
    /// docker's parseSecurityOpts: seccomp=FILE sends the file's content (compacted JSON), so the
    /// daemon never reads a path of the client's machine; unconfined and builtin are names.
    /// A file that is not JSON is reported with its line and column.
    /// </summary>
    internal static List<string> SecurityOpts(IEnumerable<string> options)
    {
        var result = new List<string>();
        foreach (var opt in options)
        {
            var cut = opt.IndexOfAny(['=', ':']);
            if (cut < 0 || opt[..cut] != "seccomp" || opt[(cut + 1)..] is "unconfined" or "builtin" || opt[(cut + 1)..].TrimStart().StartsWith('{'))
            {
                result.Add(opt);
                continue;
            }
            var path = opt[(cut + 1)..];
            string text;
            try { text = File.ReadAllText(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new FormatException($"opening seccomp profile ({path}) failed: {e.Message}");
            }
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(text);
                using var buffer = new MemoryStream();
                // Relaxed escaping: the compacted text keeps the file's characters, as Go's json.Compact does.
                using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                    doc.WriteTo(writer);
                result.Add("seccomp=" + System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            catch (System.Text.Json.JsonException e)
            {
                // The position says where; the NativeAOT binary has no sentences for what (resource keys only).
                throw new FormatException($"compacting json for seccomp profile ({path}) failed: line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}: not valid JSON");
            }
        }
        return result;
    }

    /// <summary>docker's --env-file: KEY=VALUE lines, # comments, a bare KEY takes the CLI's environment.</summary>
    static IEnumerable<string> ReadEnvFile(string path)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (IOException e) { throw new FormatException($"cannot read env file {path}: {e.Message}"); }
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimStart();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var eq = line.IndexOf('=');
            var key = eq < 0 ? line.TrimEnd() : line[..eq];
            if (key.Length == 0 || key.Any(char.IsWhiteSpace))
                throw new FormatException($"{path}:{i + 1}: invalid variable name \"{key}\": expected KEY=VALUE");
            yield return eq < 0 ? $"{key}={Environment.GetEnvironmentVariable(key) ?? ""}" : line;
        }
    }
}
