using System.Globalization;
using GitOps.Reconciler.Model;
using GitOps.Reconciler.Rollouts.Model;
using GitOps.Reconciler.Values;

namespace GitOps.Reconciler.Rollouts.Analysis;

/// <summary>
/// Substitutes a run's arguments into a metric and parses what was text, then checks it as Argo's ValidateMetric
/// does (limits, count against interval, one provider). Errors come back as Argo words them; the caller turns them
/// into the run's Error phase ("Unable to resolve metric arguments: …", "Analysis spec invalid: …").
/// </summary>
internal static class MetricResolver
{
    public static ResolvedMetric? Resolve(AnalysisMetric m, IReadOnlyDictionary<string, string> args, List<string> errors)
    {
        var before = errors.Count;
        string? S(string? text) => Placeholders.Resolve(text, args, errors);
        var provider = Provider(m.Provider, S);
        var interval = Duration(S(m.Interval), "interval", errors);
        var initialDelay = Duration(S(m.InitialDelay), "initialDelay", errors);
        var count = Int(S(m.Count), "count", errors);
        var failureLimit = Int(S(m.FailureLimit), "failureLimit", errors) ?? RolloutDefaults.FailureLimit;
        var inconclusiveLimit = Int(S(m.InconclusiveLimit), "inconclusiveLimit", errors) ?? RolloutDefaults.InconclusiveLimit;
        var consecutiveErrorLimit = Int(S(m.ConsecutiveErrorLimit), "consecutiveErrorLimit", errors) ?? RolloutDefaults.ConsecutiveErrorLimit;
        var consecutiveSuccessLimit = Int(S(m.ConsecutiveSuccessLimit), "consecutiveSuccessLimit", errors) ?? 0;
        var success = S(m.SuccessCondition);
        var failure = S(m.FailureCondition);
        if (errors.Count > before) return null;
        var metric = new ResolvedMetric(m.Name, interval, initialDelay, count, success, failure, failureLimit, inconclusiveLimit,
            consecutiveErrorLimit, consecutiveSuccessLimit, provider);
        Validate(metric, errors);
        return errors.Count > before ? null : metric;
    }

    /// <summary>Argo's ValidateMetric (utils/analysis/factory.go), word for word where it reports.</summary>
    public static void Validate(ResolvedMetric m, List<string> errors)
    {
        var count = m.Count ?? 0;
        if (m.ConsecutiveSuccessLimit < 0) errors.Add("consecutiveSuccessLimit must be >= 0");
        if (m.FailureLimit < -1) errors.Add("failureLimit must be >= 0, or -1 to be disabled");
        if (m.ConsecutiveSuccessLimit == 0 && m.FailureLimit == -1) errors.Add("failureLimit and consecutiveSuccessLimit cannot both be disabled");
        if (m.InconclusiveLimit < 0) errors.Add("inconclusiveLimit must be >= 0");
        if (m.ConsecutiveErrorLimit < 0) errors.Add("consecutiveErrorLimit must be >= 0");
        if (count > 0)
        {
            if (m.ConsecutiveSuccessLimit >= 0 && m.FailureLimit >= 0 && count < m.FailureLimit + m.ConsecutiveSuccessLimit)
                errors.Add($"count ({count}) must be >= failureLimit + consecutiveSuccessLimit ({m.FailureLimit} + {m.ConsecutiveSuccessLimit}) if both >= 0");
            else if (m.ConsecutiveSuccessLimit >= 0 && m.FailureLimit < 0 && count < m.ConsecutiveSuccessLimit)
                errors.Add("count must be >= consecutiveSuccessLimit");
            if (count < m.InconclusiveLimit) errors.Add("count must be >= inconclusiveLimit");
        }
        if (count > 1 && m.Interval is null) errors.Add("interval must be specified when count > 1");
        if (count < 0) errors.Add("count must be >= 0");
    }

    private static MetricProvider Provider(MetricProvider p, Func<string?, string?> s) => p.Kind switch
    {
        MetricProviderKind.Web when p.Web is { } w => p with
        {
            Web = w with
            {
                Url = s(w.Url) ?? "",
                Headers = [.. w.Headers.Select(h => new MetricHeader(h.Key, s(h.Value) ?? ""))],
                Body = s(w.Body),
                JsonBody = s(w.JsonBody),
                JsonPath = s(w.JsonPath),
            },
        },
        MetricProviderKind.Prometheus when p.Prometheus is { } q => p with
        {
            Prometheus = q with { Address = s(q.Address) ?? "", Query = s(q.Query) ?? "", Headers = [.. q.Headers.Select(h => new MetricHeader(h.Key, s(h.Value) ?? ""))] },
        },
        MetricProviderKind.Router when p.Router is { } r => p with { Router = r with { Window = s(r.Window) ?? r.Window } },
        MetricProviderKind.Job when p.Job is { } j => p with { Job = j with { Template = Template(j.Template, s) } },
        _ => p,
    };

    /// <summary>Arguments reach a job's containers through their image, command, arguments and variables.</summary>
    private static PodTemplate Template(PodTemplate t, Func<string?, string?> s)
    {
        Container C(Container c) => c with
        {
            Image = s(c.Image) ?? "",
            Entrypoint = c.Entrypoint is { } e ? [.. e.Select(x => s(x) ?? "")] : null,
            Command = c.Command is { } cmd ? [.. cmd.Select(x => s(x) ?? "")] : null,
            Env = [.. c.Env.Select(v => v with { Value = s(v.Value) })],
        };
        return t with { Containers = [.. t.Containers.Select(C)], InitContainers = [.. t.InitContainers.Select(C)] };
    }

    private static TimeSpan? Duration(string? text, string field, List<string> errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (GoDuration.TryParse(text, out var d) && d >= TimeSpan.Zero) return d;
        errors.Add($"invalid {field} string: time: invalid duration \"{text}\"");
        return null;
    }

    private static int? Int(string? text, string field, List<string> errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        errors.Add($"{field}: expected an integer, got \"{text}\"");
        return null;
    }
}
