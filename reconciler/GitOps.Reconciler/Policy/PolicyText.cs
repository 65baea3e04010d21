namespace GitOps.Reconciler.Policy;

/// <summary>How allow-lists read in refusals: "none" for an empty list, "any" for "*".</summary>
internal static class PolicyText
{
    public static string List<T>(IEnumerable<T> items)
    {
        var texts = items.Select(i => i?.ToString() ?? "").ToList();
        if (texts.Count == 0) return "none";
        if (texts.Contains(SecurityPolicy.Any)) return "any";
        return string.Join(", ", texts);
    }

    public static string Cpus(long nano) => (nano / 1e9).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Memory as people write it: 512MiB, 1.5GiB.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var i = 0;
        while (value >= 1024 && i < units.Length - 1) { value /= 1024; i++; }
        return value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + units[i];
    }
}
