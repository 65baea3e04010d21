using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitOps.Runtime.Security;

/// <summary>
/// A seccomp profile in Docker's format (moby/profiles seccomp.Seccomp): the OCI runtime spec's
/// LinuxSeccomp fields, plus an architecture map and rules that apply only with some capabilities,
/// on some architectures or from some kernel version on. What `--security-opt seccomp=FILE.json`
/// takes, and what Docker's built-in default is written in.
/// </summary>
public sealed record SeccompProfile
{
    public string? DefaultAction { get; init; }
    public uint? DefaultErrnoRet { get; init; }
    /// <summary>The old format: the architectures themselves (exclusive with <see cref="ArchMap"/>).</summary>
    public List<string>? Architectures { get; init; }
    public List<SeccompArchMap>? ArchMap { get; init; }
    public List<string>? Flags { get; init; }
    public string? ListenerPath { get; init; }
    public List<SeccompRule>? Syscalls { get; init; }

    /// <summary>Docker's default profile, embedded in the engine (see seccomp-default.NOTICE).</summary>
    public static SeccompProfile Default => DefaultProfile.Value;

    static readonly Lazy<SeccompProfile> DefaultProfile = new(() =>
    {
        using var s = typeof(SeccompProfile).Assembly.GetManifestResourceStream("seccomp-default.json")
            ?? throw new InvalidOperationException("the default seccomp profile is not embedded in this build");
        return JsonSerializer.Deserialize(s, SecurityJson.Default.SeccompProfile) ?? throw new InvalidOperationException("the default seccomp profile is empty");
    });

    /// <summary>
    /// Reads a profile given as JSON text. A mistake is reported with its line and column (1-based)
    /// and the JSON path, as a 400 error; nothing else about the profile is checked here (see
    /// <see cref="SeccompResolver"/>).
    /// </summary>
    public static SeccompProfile Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, SecurityJson.Default.SeccompProfile)
                ?? throw new InvalidArgumentException("invalid seccomp profile: the JSON is null, expected an object");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "at the end";
            var path = e.Path is { Length: > 1 } p ? $" ({p})" : "";
            throw new InvalidArgumentException($"invalid seccomp profile: {where}{path}: {Describe(e)}");
        }
    }

    /// <summary>
    /// What is wrong, in words of our own: the NativeAOT binary carries System.Text.Json's resource
    /// keys, not its sentences, so its messages are not shown. A syntax error is "not valid JSON"; a
    /// value of the wrong kind names the field and the kind it takes.
    /// </summary>
    internal static string Describe(JsonException e)
    {
        if (e.InnerException?.GetType().Name == "JsonReaderException" || e.Path is null) return "not valid JSON";
        var field = e.Path.Split('.').Last();
        var bracket = field.IndexOf('[');
        if (bracket >= 0) field = field[..bracket];
        return field switch
        {
            "defaultAction" or "action" or "op" or "architecture" or "name" or "comment" or "minKernel" or "listenerPath" or "listenerMetadata"
                => $"{field} must be a string",
            "defaultErrnoRet" or "errnoRet" or "index" or "value" or "valueTwo" => $"{field} must be a non-negative integer",
            "names" or "architectures" or "flags" or "caps" or "arches" or "subArchitectures" => $"{field} must be an array of strings",
            "syscalls" or "args" or "archMap" => $"{field} must be an array of objects",
            "includes" or "excludes" => $"{field} must be an object",
            "$" => "the profile must be a JSON object",
            _ => $"{field} has a value of the wrong kind",
        };
    }
}

public sealed record SeccompArchMap
{
    public string? Architecture { get; init; }
    public List<string>? SubArchitectures { get; init; }
}

/// <summary>One rule: these system calls get this action (when their arguments match), if its conditions hold.</summary>
public sealed record SeccompRule
{
    public List<string>? Names { get; init; }
    /// <summary>Deprecated single name (Docker still reads it).</summary>
    public string? Name { get; init; }
    public string? Action { get; init; }
    public uint? ErrnoRet { get; init; }
    public List<SeccompArg>? Args { get; init; }
    public string? Comment { get; init; }
    public SeccompCondition? Includes { get; init; }
    public SeccompCondition? Excludes { get; init; }
}

/// <summary>
/// A comparison of argument <see cref="Index"/> (0–5): with <see cref="Value"/>, or for SCMP_CMP_MASKED_EQ
/// (argument AND <see cref="Value"/>) == <see cref="ValueTwo"/>.
/// </summary>
public sealed record SeccompArg
{
    public uint Index { get; init; }
    public ulong Value { get; init; }
    public ulong ValueTwo { get; init; }
    public string? Op { get; init; }
}

/// <summary>When a rule applies: all of these capabilities, one of these architectures ("amd64", "arm64", …), this kernel or newer.</summary>
public sealed record SeccompCondition
{
    public List<string>? Caps { get; init; }
    public List<string>? Arches { get; init; }
    public string? MinKernel { get; init; }
}

/// <summary>Docker's JSON is camelCase; Go's decoder also takes any case, as this one does.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false)]
[JsonSerializable(typeof(SeccompProfile))]
internal sealed partial class SecurityJson : JsonSerializerContext;
