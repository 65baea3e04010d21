namespace GitOps.Runtime.Security;

/// <summary>Which seccomp filter a container gets.</summary>
public enum SeccompMode { Builtin, Unconfined, Custom }

/// <summary>
/// HostConfig.SecurityOpt read as Docker's daemon reads it (parseSecurityOpt): "seccomp=unconfined",
/// "seccomp=builtin", "seccomp=PROFILE-JSON" (the CLI reads PROFILE.json and sends its content),
/// "no-new-privileges[=BOOL]", "writable-cgroups[=BOOL]", "apparmor=…", "label=…"; ':' is accepted
/// instead of '=' (Docker's deprecated spelling, still common in Compose files).
/// </summary>
public sealed record SecurityOptions
{
    public SeccompMode Seccomp { get; init; } = SeccompMode.Builtin;
    /// <summary>The profile of <see cref="SeccompMode.Custom"/>.</summary>
    public SeccompProfile? Profile { get; init; }
    /// <summary>The profile's JSON as given (the compiled-filter cache's key).</summary>
    public string? ProfileText { get; init; }
    /// <summary>Null: the engine's default, which is on (stricter than Docker's; see README).</summary>
    public bool? NoNewPrivileges { get; init; }
    public bool WritableCgroups { get; init; }

    public const string Unconfined = "unconfined", Builtin = "builtin";

    public static SecurityOptions Parse(IReadOnlyList<string> options)
    {
        var result = new SecurityOptions();
        foreach (var opt in options)
        {
            switch (opt)
            {
                case "no-new-privileges":
                    result = result with { NoNewPrivileges = true };
                    continue;
                case "writable-cgroups":
                    result = result with { WritableCgroups = true };
                    continue;
                case "disable":
                    continue; // label=disable's short form: there are no labels to disable
            }
            // Whichever separator comes first: a profile's JSON holds both characters.
            var cut = opt.IndexOfAny(['=', ':']);
            if (cut <= 0)
                throw new InvalidArgumentException($"invalid --security-opt \"{opt}\": expected KEY=VALUE with KEY one of seccomp, no-new-privileges, writable-cgroups, apparmor, label");
            var (key, value) = (opt[..cut], opt[(cut + 1)..]);
            result = key switch
            {
                "seccomp" => result with
                {
                    Seccomp = SeccompModeOf(value),
                    Profile = value is Unconfined or Builtin ? null : ParseProfile(value),
                    ProfileText = value is Unconfined or Builtin ? null : value,
                },
                "no-new-privileges" => result with { NoNewPrivileges = ParseBool(opt, value) },
                "writable-cgroups" => result with { WritableCgroups = ParseBool(opt, value) },
                "apparmor" => CheckAppArmor(result, value),
                "label" => CheckLabel(result, value),
                _ => throw new InvalidArgumentException($"invalid --security-opt \"{opt}\": unknown option \"{key}\" (expected seccomp, no-new-privileges, writable-cgroups, apparmor or label)"),
            };
        }
        return result;
    }

    static SeccompMode SeccompModeOf(string value) => value switch
    {
        Unconfined => SeccompMode.Unconfined,
        Builtin => SeccompMode.Builtin,
        _ => SeccompMode.Custom,
    };

    static SeccompProfile ParseProfile(string value)
    {
        var text = value.TrimStart();
        if (!text.StartsWith('{'))
            throw new InvalidArgumentException($"invalid --security-opt seccomp=\"{value}\": expected unconfined, builtin or a profile's JSON (the CLI reads a profile file and sends its content)");
        return SeccompProfile.Parse(value);
    }

    /// <summary>Go's strconv.ParseBool, which Docker uses for these values.</summary>
    static bool ParseBool(string opt, string value) => value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new InvalidArgumentException($"invalid --security-opt \"{opt}\": \"{value}\" is not a boolean"),
    };

    /// <summary>
    /// AppArmor profiles are not loaded by this engine. "unconfined" asks for nothing; on a host
    /// without AppArmor, Docker ignores any profile name and so do we; on a host with AppArmor, a
    /// profile we would not apply is refused rather than silently dropped.
    /// </summary>
    static SecurityOptions CheckAppArmor(SecurityOptions o, string value)
    {
        if (value is Unconfined || !HostHasAppArmor) return o;
        throw new InvalidArgumentException($"--security-opt apparmor={value}: this engine does not load AppArmor profiles (only apparmor=unconfined is accepted on an AppArmor host)");
    }

    /// <summary>SELinux labels, likewise: "disable" asks for nothing; elsewhere only a host without SELinux ignores them, as Docker does.</summary>
    static SecurityOptions CheckLabel(SecurityOptions o, string value)
    {
        if (value is "disable" || !HostHasSelinux) return o;
        throw new InvalidArgumentException($"--security-opt label={value}: this engine does not apply SELinux labels (only label=disable is accepted on an SELinux host)");
    }

    static bool HostHasAppArmor =>
        File.Exists("/sys/module/apparmor/parameters/enabled") && File.ReadAllText("/sys/module/apparmor/parameters/enabled").Trim() == "Y";

    static bool HostHasSelinux => File.Exists("/sys/fs/selinux/enforce");
}
