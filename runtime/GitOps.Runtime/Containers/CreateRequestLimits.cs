using System.Net;
using System.Net.Sockets;

namespace GitOps.Runtime.Containers;

/// <summary>
/// The bounds and the start-time checks of a container create, run before anything is reserved or written: what the
/// request carries is bounded (<see cref="InputLimits"/>), and what could only fail at start — the restart policy,
/// capability names, published addresses and ports, the hostname's length, the size of the environment that execve
/// will take — fails here, with a 400 that names the field. Every problem is reported, not just the first.
/// </summary>
internal static class CreateRequestLimits
{
    public static void Check(CreateRequest req)
    {
        var errors = new List<string>();
        var h = req.HostConfig;
        if (req.Name is { } name && name.TrimStart('/').Length > InputLimits.MaxName)
            errors.Add($"invalid container name ({InputLimits.Clip(name)}): at most {InputLimits.MaxName} characters");
        if (string.IsNullOrEmpty(req.Image)) errors.Add("no image specified");
        else if (req.Image.Length > InputLimits.MaxName) errors.Add($"invalid reference format: repository name ({InputLimits.Clip(req.Image)}) must not be longer than {InputLimits.MaxName} characters");
        if (req.Hostname is { Length: > InputLimits.MaxHostname } host)
            errors.Add($"invalid hostname \"{InputLimits.Clip(host)}\": at most {InputLimits.MaxHostname} characters (the kernel's HOST_NAME_MAX)");
        if (req.Domainname is { Length: > InputLimits.MaxHostname } domain)
            errors.Add($"invalid domainname \"{InputLimits.Clip(domain)}\": at most {InputLimits.MaxHostname} characters (the kernel's HOST_NAME_MAX)");
        if (req.WorkingDir is { Length: > InputLimits.MaxPath }) errors.Add($"invalid working directory: at most {InputLimits.MaxPath} characters");
        if (req.User is { Length: > InputLimits.MaxName }) errors.Add($"invalid user \"{InputLimits.Clip(req.User)}\": at most {InputLimits.MaxName} characters");
        ArgsAndEnv(req, errors);
        InputLimits.CheckLabels(req.Labels, "Labels", errors);
        RestartPolicy(h.RestartPolicy, errors);
        Capabilities(h.CapAdd, "CapAdd", errors);
        Capabilities(h.CapDrop, "CapDrop", errors);
        Ports(h, errors);
        if (h.CpuShares < 0) errors.Add($"invalid CPU shares {h.CpuShares}: must be 0 (the default) or more");
        if (h.MemorySwap < -1) errors.Add($"invalid memory swap {h.MemorySwap}: -1 (unlimited), 0 (twice the memory) or a size");
        if (h.LogMaxSize < -1) errors.Add($"invalid log max-size {h.LogMaxSize}: must be positive (or -1 for no limit)");
        if (h.LogMaxFiles < 1) errors.Add($"invalid log max-file {h.LogMaxFiles}: must be at least 1");
        if (errors.Count > 0) throw new InvalidArgumentException(string.Join("\n", errors));
    }

    /// <summary>An exec session: the same execve bounds on its command and environment.</summary>
    public static void CheckExec(Exec.ExecConfig config)
    {
        var errors = new List<string>();
        var total = 0L;
        Count(config.Cmd, "Cmd", errors, ref total);
        Count(config.Env, "Env", errors, ref total);
        if (total > InputLimits.MaxArgsAndEnv) errors.Add(TooLong(total));
        if (config.User is { Length: > InputLimits.MaxName }) errors.Add($"invalid user \"{InputLimits.Clip(config.User)}\": at most {InputLimits.MaxName} characters");
        if (config.WorkingDir is { Length: > InputLimits.MaxPath }) errors.Add($"invalid working directory: at most {InputLimits.MaxPath} characters");
        if (errors.Count > 0) throw new InvalidArgumentException(string.Join("\n", errors));
    }

    /// <summary>
    /// What execve(2) will be given: each string under MAX_ARG_STRLEN and all of them, with a pointer each, under
    /// ARG_MAX. Counted in UTF-8 bytes plus the NUL, as the kernel counts; linear in the request's size. The image's
    /// own environment is added at start; it passed the same bound when the image was built or pulled here, or not
    /// at all (a pulled image is as its author made it), so it is not counted.
    /// </summary>
    static void ArgsAndEnv(CreateRequest req, List<string> errors)
    {
        long total = 0;
        Count(req.Env, "Env", errors, ref total);
        Count(req.Cmd, "Cmd", errors, ref total);
        Count(req.Entrypoint, "Entrypoint", errors, ref total);
        for (var i = 0; i < (req.Env?.Count ?? 0); i++)
            if (req.Env![i] is { Length: > 0 } e && e[0] == '=') errors.Add($"Env[{i}] \"{InputLimits.Clip(e)}\": a variable needs a name before '='");
        if (total > InputLimits.MaxArgsAndEnv) errors.Add(TooLong(total));
    }

    static string TooLong(long total) =>
        $"the command and environment take {total} bytes; execve accepts at most {InputLimits.MaxArgsAndEnv} (2 MiB, the kernel's ARG_MAX with the default stack limit): argument list too long";

    static void Count(IReadOnlyList<string>? list, string field, List<string> errors, ref long total)
    {
        if (list is null) return;
        for (var i = 0; i < list.Count; i++)
        {
            var s = list[i];
            if (s is null) { errors.Add($"{field}[{i}] is null"); continue; }
            var bytes = System.Text.Encoding.UTF8.GetByteCount(s) + 1;
            if (bytes > InputLimits.MaxArgString)
                errors.Add($"{field}[{i}] is {bytes} bytes long; one argument or environment entry may have at most {InputLimits.MaxArgString} bytes (the kernel's MAX_ARG_STRLEN)");
            else if (s.Contains('\0', StringComparison.Ordinal)) errors.Add($"{field}[{i}] contains a NUL character");
            total += bytes + IntPtr.Size;
        }
    }

    static void RestartPolicy(RestartPolicy? p, List<string> errors)
    {
        if (p is null) return;
        switch (p.Name)
        {
            case "" or "no" or "always" or "unless-stopped":
                if (p.MaximumRetryCount != 0) errors.Add($"invalid restart policy: maximum retry count can only be used with 'on-failure' (got {p.MaximumRetryCount} with '{p.Name}')");
                break;
            case "on-failure":
                if (p.MaximumRetryCount < 0) errors.Add($"invalid restart policy: maximum retry count must be a positive integer (got {p.MaximumRetryCount})");
                break;
            default:
                errors.Add($"invalid restart policy \"{InputLimits.Clip(p.Name)}\": expected no, always, unless-stopped or on-failure");
                break;
        }
    }

    static void Capabilities(IReadOnlyList<string>? names, string field, List<string> errors)
    {
        foreach (var name in names ?? [])
        {
            if (name is null) { errors.Add($"{field}: a capability name is null"); continue; }
            if (name.Equals("ALL", StringComparison.OrdinalIgnoreCase)) continue;
            var n = name.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? name[4..] : name;
            // Enum.TryParse would also take numbers and comma lists; a capability is one name.
            if (n.Length == 0 || !n.All(c => char.IsAsciiLetter(c) || c == '_')
                || !Enum.TryParse<Init.Capability>(n.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var cap) || !Enum.IsDefined(cap))
                errors.Add($"{field}: unknown capability: \"{InputLimits.Clip(name)}\"");
        }
    }

    static void Ports(HostConfig h, List<string> errors)
    {
        foreach (var (port, bindings) in h.PortBindings ?? [])
        {
            try { Networking.NetworkManager.ParsePort(port); }
            catch (InvalidArgumentException e) { errors.Add(e.Message); continue; }
            foreach (var b in bindings ?? [])
            {
                if (b is null) { errors.Add($"PortBindings[{port}]: a binding is null"); continue; }
                var ip = b.HostIp is { Length: > 0 } given ? given : "0.0.0.0";
                if (!IPAddress.TryParse(ip, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
                    errors.Add($"invalid host IP \"{InputLimits.Clip(ip)}\" for {port}: expected an IPv4 address");
                try { Networking.NetworkManager.HostPortRange(b.HostPort, port); }
                catch (InvalidArgumentException e) { errors.Add(e.Message); }
            }
        }
    }
}
