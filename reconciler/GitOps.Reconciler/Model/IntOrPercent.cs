using System.Globalization;

namespace GitOps.Reconciler.Model;

/// <summary>Kubernetes' int-or-string for maxSurge/maxUnavailable: a count, or a percentage of the replicas.</summary>
internal readonly record struct IntOrPercent(int Value, bool Percent)
{
    public static IntOrPercent Count(int value) => new(value, false);

    public static IntOrPercent Percentage(int value) => new(value, true);

    /// <summary>
    /// The count for <paramref name="replicas"/> replicas. Kubernetes rounds maxSurge up and maxUnavailable
    /// down (deployment/util.ResolveFenceposts), so 25% of 3 is a surge of 1 and an unavailability of 0.
    /// </summary>
    public int Resolve(int replicas, bool roundUp)
    {
        if (!Percent) return Value;
        var exact = (long)Value * replicas;
        return (int)(roundUp ? (exact + 99) / 100 : exact / 100);
    }

    public override string ToString() => Percent ? Value.ToString(CultureInfo.InvariantCulture) + "%" : Value.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out IntOrPercent value)
    {
        value = default;
        var t = text.Trim();
        var percent = t.EndsWith('%');
        if (percent) t = t[..^1];
        if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        value = new IntOrPercent(n, percent);
        return true;
    }
}
