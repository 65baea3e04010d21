using System.Text;

namespace GitOps.Cli.Output;

/// <summary>Columns padded like Go's tabwriter with three spaces of padding, as docker prints tables.</summary>
public sealed class Table(params string[] headers)
{
    readonly List<string[]> _rows = [];

    public void Add(params string[] row) => _rows.Add(row);

    public int Count => _rows.Count;

    public override string ToString()
    {
        var all = new List<string[]> { headers };
        all.AddRange(_rows);
        var widths = new int[headers.Length];
        foreach (var r in all)
            for (var i = 0; i < r.Length && i < widths.Length; i++) widths[i] = Math.Max(widths[i], r[i].Length);
        var sb = new StringBuilder();
        foreach (var r in all)
        {
            for (var i = 0; i < r.Length; i++)
            {
                sb.Append(r[i]);
                if (i < r.Length - 1) sb.Append(' ', widths[i] - r[i].Length + 3);
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
