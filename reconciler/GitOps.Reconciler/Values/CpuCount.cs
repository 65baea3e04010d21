using System.Globalization;

namespace GitOps.Reconciler.Values;

/// <summary>Compose's <c>cpus: 0.5</c> / <c>'0.001'</c>, as nano-CPUs like Docker's NanoCPUs.</summary>
internal static class CpuCount
{
    public static bool TryParseNanoCpus(string text, out long nanoCpus)
    {
        nanoCpus = 0;
        if (!decimal.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cpus)) return false;
        if (cpus < 0 || cpus > long.MaxValue / 1_000_000_000m) return false;
        nanoCpus = (long)decimal.Round(cpus * 1_000_000_000m);
        return true;
    }
}
