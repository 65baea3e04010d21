using System.Security.Cryptography;
using System.Text;
using GitOps.Reconciler.Apps;

namespace GitOps.Reconciler.Reconcile.Caching;

/// <summary>
/// What a compile of an application's revision is a function of, besides the files it reads: the revision (a commit,
/// or a local source's content digest), the whole application definition (paths, format, overrides, project name,
/// source) and the policy it is judged by as resolved now (a named policy comes from the daemon's config), and whether
/// it is compiled to be applied (then it points at the run tree) or for a dry run.
/// </summary>
internal sealed record RevisionKey(string Revision, string Definition, bool ForApply)
{
    public static RevisionKey Of(string revision, AppSpec spec, Policy.SecurityPolicy? policy, bool forApply)
    {
        var text = System.Text.Json.JsonSerializer.Serialize(spec, AppJson.Default.AppSpec) + "\n"
            + (policy is null ? "" : System.Text.Json.JsonSerializer.Serialize(policy, AppJson.Default.SecurityPolicy));
        // A digest, not the text: the definition may name credentials' locations, and the key is all that is kept.
        return new RevisionKey(revision, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), forApply);
    }
}
