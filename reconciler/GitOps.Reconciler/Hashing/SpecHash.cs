using System.Security.Cryptography;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rendering;

namespace GitOps.Reconciler.Hashing;

/// <summary>
/// Stable hashes of a service, for telling unchanged services apart across commits. They hash the canonical
/// rendering (sorted keys, defaults written out, secrets as digests), so YAML key order, quoting, short vs
/// long syntax or a default written explicitly never change them, and no secret is hashed in clear.
/// <see cref="Of"/> covers the whole service (replicas, update policy, ports, template); <see cref="OfTemplate"/>
/// only what each replica is made of: if only <see cref="Of"/> changed, scaling or re-routing is enough and
/// no replica needs replacing.
/// </summary>
internal static class SpecHash
{
    public static string Of(Service service) => Hash(JsonOutput.Canonical(DesiredStateWriter.Service(service, withHashes: false)));

    public static string OfTemplate(Service service) => Hash(JsonOutput.Canonical(DesiredStateWriter.Template(service.Template)));

    private static string Hash(byte[] canonical) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(canonical));
}
