namespace GitOps.Reconciler.Model;

/// <summary>
/// A Kubernetes toleration. Null <see cref="Key"/> with Exists tolerates every taint; null <see cref="Effect"/>
/// matches every effect; <see cref="Seconds"/> (NoExecute only) is how long a running task may stay on a node
/// after the taint appears.
/// </summary>
internal sealed record Toleration(string? Key, TolerationOperator Operator, string? Value, TaintEffect? Effect, long? Seconds)
{
    /// <summary>Kubernetes' ToleratesTaint: effect (if set) and key (if set) must equal the taint's, then Exists matches any value and Equal the same value.</summary>
    public bool Tolerates(Taint taint)
    {
        if (Effect is { } effect && effect != taint.Effect) return false;
        if (Key is not null && !string.Equals(Key, taint.Key, StringComparison.Ordinal)) return false;
        return Operator == TolerationOperator.Exists || string.Equals(Value ?? "", taint.Value ?? "", StringComparison.Ordinal);
    }

    public override string ToString()
    {
        var what = Operator == TolerationOperator.Exists ? Key ?? "*" : $"{Key}={Value}";
        return Effect is { } e ? $"{what}:{e}" : what;
    }
}
