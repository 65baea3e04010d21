using System.Security.Cryptography;
using System.Text;

namespace GitOps.Runtime;

/// <summary>Where one engine instance keeps its state. Two daemons with different roots never share a path.</summary>
public sealed record EnginePaths(string Root)
{
    public string Containers => Path.Combine(Root, "containers");
    public string Images => Path.Combine(Root, "image");
    public string Blobs => Path.Combine(Images, "blobs", "sha256");
    public string Layers => Path.Combine(Images, "layers");
    public string Volumes => Path.Combine(Root, "volumes");
    public string Tmp => Path.Combine(Root, "tmp");
    public string LockFile => Path.Combine(Root, "gitops.lock");

    public string Container(string id) => Path.Combine(Containers, id);

    /// <summary>
    /// The name this instance uses where names are global on the host (cgroups, later bridges and nft
    /// tables): "gitops" for the default root, "gitops-" plus a hash of the root otherwise.
    /// </summary>
    public string InstanceName
    {
        get
        {
            var full = Path.GetFullPath(Root).TrimEnd('/');
            if (full == "/var/lib/gitops") return "gitops";
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(full));
            return "gitops-" + Convert.ToHexStringLower(hash)[..8];
        }
    }

    public void EnsureCreated()
    {
        foreach (var d in new[] { Root, Containers, Images, Blobs, Layers, Volumes, Tmp })
            Directory.CreateDirectory(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // The root holds secrets and container filesystems: root only, like /var/lib/docker.
        File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
