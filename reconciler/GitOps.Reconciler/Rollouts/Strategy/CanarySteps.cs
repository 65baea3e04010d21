using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GitOps.Reconciler.Rollouts.Model;

namespace GitOps.Reconciler.Rollouts.Strategy;

/// <summary>Reading the canary steps against the rollout's position (Argo's GetCurrentCanaryStep, GetCurrentSetWeight, UseSetCanaryScale).</summary>
internal static class CanarySteps
{
    /// <summary>The current step, or null when there are no steps or all were executed.</summary>
    public static CanaryStep? Current(CanaryStrategy canary, int? index)
    {
        var i = index ?? 0;
        return canary.Steps.Count == 0 || i >= canary.Steps.Count ? null : canary.Steps[i];
    }

    /// <summary>The weight of the last setWeight at or before the current step; 100 past the last step; 0 when aborted.</summary>
    public static int CurrentSetWeight(CanaryStrategy canary, int? index, bool aborted)
    {
        if (aborted) return 0;
        if (Current(canary, index) is null) return RolloutDefaults.MaxTrafficWeight;
        for (var i = index ?? 0; i >= 0; i--)
            if (canary.Steps[i].Kind == CanaryStepKind.SetWeight) return canary.Steps[i].Weight ?? 0;
        return 0;
    }

    /// <summary>The weight of the last setWeight before the current step (what a router keeps until the canary is ready for more).</summary>
    public static int PreviousSetWeight(CanaryStrategy canary, int index)
    {
        for (var i = Math.Min(index, canary.Steps.Count) - 1; i >= 0; i--)
            if (canary.Steps[i].Kind == CanaryStepKind.SetWeight) return canary.Steps[i].Weight ?? 0;
        return 0;
    }

    /// <summary>
    /// The setCanaryScale in force (walking back from the current step), only with a router: without one, replicas are
    /// the weights. After an abort it no longer applies unless the canary is to be kept (abortScaleDownDelaySeconds: 0).
    /// </summary>
    public static CanaryScale? SetCanaryScale(CanaryStrategy canary, int? index, bool routed, bool aborted)
    {
        if (!routed) return null;
        if (aborted && canary.AbortScaleDownDelay is not null) return null;
        if (Current(canary, index) is null) return null;
        for (var i = index ?? 0; i >= 0; i--)
        {
            var step = canary.Steps[i];
            if (step.Kind != CanaryStepKind.SetCanaryScale || step.Scale is null) continue;
            return step.Scale.MatchTrafficWeight ? null : step.Scale;
        }
        return null;
    }

    /// <summary>A digest of the steps: when they change in Git, the canary starts over from the first step (Argo's currentStepHash).</summary>
    public static string Hash(CanaryStrategy canary)
    {
        var sb = new StringBuilder();
        foreach (var s in canary.Steps)
        {
            sb.Append(s).Append('|');
            if (s.Analysis is { } a)
            {
                foreach (var t in a.Templates) sb.Append(t.Name).Append(t.ClusterScope ? "@c" : "").Append(',');
                foreach (var m in a.Metrics) sb.Append(m.Name).Append(',');
                foreach (var arg in a.Args) sb.Append(arg.Name).Append('=').Append(arg.Value).Append(arg.PodTemplateHash).Append(',');
            }
            if (s.Scale is { } scale) sb.Append(scale.Replicas?.ToString(CultureInfo.InvariantCulture)).Append('/').Append(scale.Weight?.ToString(CultureInfo.InvariantCulture)).Append(scale.MatchTrafficWeight);
            if (s.HeaderRoute is { } h)
                foreach (var m in h.Matches) sb.Append(m.Header).Append(m.Kind).Append(m.Value).Append(',');
            sb.Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }
}
