namespace GitOps.Reconciler.Reconcile.Outcomes;

/// <summary>
/// Exponential back-off for transient failures: <see cref="Initial"/> doubled per consecutive failure up to
/// <see cref="Max"/>, shortened by a random share of up to <see cref="Jitter"/> so applications that failed together
/// (one repository host down) do not all retry in the same instant. Jitter only shortens, so until the cap each delay
/// is still longer than the one before (2 × (1 − 0.1) &gt; 1).
/// </summary>
internal sealed record Backoff(TimeSpan Initial, TimeSpan Max, double Jitter)
{
    /// <summary>1 s, 2 s, 4 s ... 5 min, less up to 10 %: about Flux's (750 ms to 15 min) scaled to a single node's polls.</summary>
    public static readonly Backoff Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), 0.1);

    /// <param name="attempt">The number of consecutive failures so far (1 after the first).</param>
    /// <param name="random">A number in [0, 1): how much of the jitter this delay gets.</param>
    public TimeSpan Delay(int attempt, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        // 2^30 × any sane initial is far past any cap: the exponent is bounded so the arithmetic cannot overflow.
        var raw = Math.Min(Max.TotalMilliseconds, Initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(raw * (1 - Jitter * Math.Clamp(random, 0, 1)));
    }
}
