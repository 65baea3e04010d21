using System.Globalization;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>Argo's promoteStable: the version being rolled out becomes the stable one, pauses and aborts are over.</summary>
internal static class Promotion
{
    public static void PromoteStable(RolloutContext c, string reason)
    {
        c.ClearPause();
        c.RemoveAbort();
        c.Next = c.Next with { PromoteFull = false, ScaleUpPreviewCheckPoint = false };
        if (c.Prev.StableVersion == c.NewVersion) return;
        c.Next = c.Next with { StableVersion = c.NewVersion, BadRevisions = [.. c.Next.BadRevisions.Where(b => b.Version != c.NewVersion)] };
        c.Event("RolloutCompleted", $"Rollout completed update to revision {c.Next.Revision.ToString(CultureInfo.InvariantCulture)} ({Short(c.NewVersion)}): {reason}");
        c.RequeueBy(c.Now);
    }

    /// <summary>A version as messages show it: the first 10 hex digits of its hash, as a pod-template-hash label is short.</summary>
    public static string Short(string version)
    {
        var v = version.StartsWith("sha256:", StringComparison.Ordinal) ? version[7..] : version;
        return v[..Math.Min(10, v.Length)];
    }
}
