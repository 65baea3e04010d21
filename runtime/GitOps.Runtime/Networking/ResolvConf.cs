namespace GitOps.Runtime.Networking;

/// <summary>
/// A container's resolv.conf, with Docker's --dns, --dns-search and --dns-option applied: given nameservers
/// replace the base's (except where the embedded DNS answers: it stays the only nameserver, as in Docker),
/// given search domains replace the base's, given options replace base options of the same name.
/// </summary>
public static class ResolvConf
{
    public static string Compose(string baseConf, IReadOnlyList<string> nameservers, IReadOnlyList<string> search, IReadOnlyList<string> options, bool embedded)
    {
        if (nameservers.Count == 0 && search.Count == 0 && options.Count == 0) return baseConf;
        var lines = baseConf.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var servers = lines.Where(l => Keyword(l) == "nameserver").ToList();
        if (nameservers.Count > 0 && !embedded) servers = [.. nameservers.Select(n => "nameserver " + n)];
        var searchLine = search.Count > 0 ? "search " + string.Join(' ', search) : lines.LastOrDefault(l => Keyword(l) is "search" or "domain");
        var opts = lines.Where(l => Keyword(l) == "options").SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)).ToList();
        foreach (var o in options)
        {
            var name = o.Split(':', 2)[0];
            opts.RemoveAll(x => x.Split(':', 2)[0] == name);
            opts.Add(o);
        }
        var result = new List<string>(servers);
        if (searchLine is not null) result.Add(searchLine);
        if (opts.Count > 0) result.Add("options " + string.Join(' ', opts));
        return string.Join('\n', result) + "\n";
    }

    static string Keyword(string line) => line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
}
