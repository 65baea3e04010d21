using System.Text;
using System.Text.Json;
using GitOps.Runtime.State;

namespace GitOps.Cluster.Membership;

/// <summary>
/// The node's membership files under ROOT/cluster: written atomically, keys 0600 in a 0700 directory,
/// state.json last (it is what makes the daemon a member, so a join that fails halfway leaves no member
/// behind), and all removed together.
/// </summary>
internal static class LocalFiles
{
    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;

    public static void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, PrivateDir);
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(content), Private);
    }

    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, PrivateDir);
        AtomicFile.Write(path, content, Private);
    }

    public static void WriteState(ClusterPaths paths, LocalState state) =>
        Write(paths.State, JsonSerializer.SerializeToUtf8Bytes(state, StoreJson.Default.LocalState));

    public static LocalState? ReadState(ClusterPaths paths)
    {
        if (!File.Exists(paths.State)) return null;
        return JsonSerializer.Deserialize(File.ReadAllBytes(paths.State), StoreJson.Default.LocalState)
            ?? throw new InvalidDataException($"{paths.State} is empty");
    }

    /// <summary>Forgets the membership: state first (so a crash halfway leaves a non-member), then keys, then etcd's data.</summary>
    public static void RemoveAll(ClusterPaths paths)
    {
        if (File.Exists(paths.State)) File.Delete(paths.State);
        if (Directory.Exists(paths.Dir)) Directory.Delete(paths.Dir, recursive: true);
        if (Directory.Exists(paths.EtcdDir)) Directory.Delete(paths.EtcdDir, recursive: true);
    }

    /// <summary>Drops what only a manager holds (demotion): the CA keys, the peer credentials and etcd's data.</summary>
    public static void RemoveManagerMaterial(ClusterPaths paths)
    {
        foreach (var f in new[] { paths.CaKey, paths.PeerCaKey, paths.PeerCaCertificate, paths.PeerCertificate, paths.PeerKey })
            if (File.Exists(f)) File.Delete(f);
        if (Directory.Exists(paths.EtcdDir)) Directory.Delete(paths.EtcdDir, recursive: true);
    }
}
