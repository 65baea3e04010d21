using System.CommandLine;
using GitOps.Runtime.Containers;
using GitOps.Runtime.Secrets;
using GitOps.Runtime.Volumes;

namespace GitOps.Cli.Commands;

/// <summary>run/create flags for volumes, binds, tmpfs, secrets and configs, and their translation into the create request.</summary>
internal sealed class StorageOptions
{
    public readonly Option<string[]> Volume = new("--volume", "-v")
    {
        Description = "Bind mount a volume: [SOURCE:]DESTINATION[:ro|rw|nocopy]; SOURCE is a volume name or an absolute host path, none for an anonymous volume",
    };
    public readonly Option<string[]> Mount = new("--mount")
    {
        Description = "Attach a filesystem mount: type=volume|bind|tmpfs,source=...,target=...[,readonly][,volume-nocopy][,volume-opt=K=V][,volume-subpath=...][,tmpfs-size=...][,tmpfs-mode=...]",
    };
    public readonly Option<string[]> Tmpfs = new("--tmpfs") { Description = "Mount a tmpfs directory: PATH[:size=64m,mode=1777,exec,...]" };
    public readonly Option<string[]> VolumesFrom = new("--volumes-from") { Description = "Mount volumes from the specified container(s): NAME[:ro|rw]" };
    public readonly Option<string[]> Secret = new("--secret")
    {
        Description = "Give the container a secret as a file on a tmpfs at /run/secrets: NAME or source=NAME[,target=...,uid=...,gid=...,mode=0400,key=...]",
    };
    public readonly Option<string[]> Config = new("--config")
    {
        Description = "Give the container a config as a read-only file (default /NAME): NAME or source=NAME[,target=...,uid=...,gid=...,mode=...,key=...]",
    };
    public readonly Option<string[]> SecretEnv = new("--secret-env")
    {
        Description = "Set an environment variable from a secret when the container starts (not stored): VAR=SECRET[:KEY]",
    };

    public IEnumerable<Option> Options => [Volume, Mount, Tmpfs, VolumesFrom, Secret, Config, SecretEnv];

    public CreateRequest Apply(ParseResult pr, CreateRequest req)
    {
        var binds = (pr.GetValue(Volume) ?? []).Select(AbsoluteSource).ToList();
        var mounts = new List<MountRequest>();
        foreach (var m in pr.GetValue(Mount) ?? [])
        {
            try
            {
                var parsed = MountSyntax.ParseMountFlag(m);
                // docker/cli makes ./relative bind sources absolute (against the CLI's directory).
                if (parsed.Type == MountPoint.BindType && parsed.Source is { } src && (src == "." || src.StartsWith("./", StringComparison.Ordinal) || src.StartsWith("../", StringComparison.Ordinal)))
                    parsed = parsed with { Source = Path.GetFullPath(src) };
                mounts.Add(parsed);
            }
            catch (FormatException e) { throw new FormatException($"invalid argument \"{m}\" for \"--mount\" flag: {e.Message}"); }
        }
        var tmpfs = new Dictionary<string, string>();
        foreach (var t in pr.GetValue(Tmpfs) ?? [])
        {
            var colon = t.IndexOf(':');
            tmpfs[colon < 0 ? t : t[..colon]] = colon < 0 ? "" : t[(colon + 1)..];
        }
        return req with
        {
            HostConfig = req.HostConfig with { Binds = binds, Mounts = mounts, Tmpfs = tmpfs, VolumesFrom = pr.GetValue(VolumesFrom) ?? [] },
            Secrets = Parse(pr.GetValue(Secret), SecretKind.Secret, "--secret"),
            Configs = Parse(pr.GetValue(Config), SecretKind.Config, "--config"),
            SecretEnv = (pr.GetValue(SecretEnv) ?? []).Select(e =>
            {
                try { return SecretSyntax.ParseEnv(e); }
                catch (FormatException x) { throw new FormatException($"invalid argument \"{e}\" for \"--secret-env\" flag: {x.Message}"); }
            }).ToList(),
        };
    }

    static List<SecretReference> Parse(string[]? values, SecretKind kind, string flag) =>
        (values ?? []).Select(v =>
        {
            try { return SecretSyntax.Parse(v, kind); }
            catch (FormatException e) { throw new FormatException($"invalid argument \"{v}\" for \"{flag}\" flag: {e.Message}"); }
        }).ToList();

    /// <summary>-v ./data:/data: a source starting with "." is a path relative to the CLI's directory, as docker/cli reads it.</summary>
    static string AbsoluteSource(string spec)
    {
        var colon = spec.IndexOf(':');
        if (colon <= 0) return spec;
        var source = spec[..colon];
        if (source != "." && !source.StartsWith("./", StringComparison.Ordinal) && !source.StartsWith("../", StringComparison.Ordinal) && source != "..") return spec;
        return Path.GetFullPath(source) + spec[colon..];
    }
}
