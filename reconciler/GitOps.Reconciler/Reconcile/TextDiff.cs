using System.Text;

namespace GitOps.Reconciler.Reconcile;

/// <summary>A line-based unified diff (Myers' O(ND) algorithm), enough for rendered service specs.</summary>
internal static class TextDiff
{
    public static string Unified(string fromName, string toName, string a, string b, int context = 3)
    {
        var x = Lines(a);
        var y = Lines(b);
        var ops = Diff(x, y);
        if (ops.All(o => o.Kind == ' ')) return "";
        var sb = new StringBuilder();
        sb.Append("--- ").Append(a.Length == 0 ? "/dev/null" : fromName).Append('\n');
        sb.Append("+++ ").Append(b.Length == 0 ? "/dev/null" : toName).Append('\n');
        var i = 0;
        while (i < ops.Count)
        {
            if (ops[i].Kind == ' ') { i++; continue; }
            var start = Math.Max(0, i - context);
            var end = i;
            // Extend the hunk while changes are within 2*context lines of each other.
            while (end < ops.Count)
            {
                if (ops[end].Kind != ' ') { end++; continue; }
                var next = end;
                while (next < ops.Count && ops[next].Kind == ' ') next++;
                if (next < ops.Count && next - end <= 2 * context) { end = next; continue; }
                end = Math.Min(ops.Count, end + context);
                break;
            }
            var hunk = ops.GetRange(start, end - start);
            var aStart = hunk.First().A;
            var bStart = hunk.First().B;
            var aLen = hunk.Count(o => o.Kind != '+');
            var bLen = hunk.Count(o => o.Kind != '-');
            sb.Append($"@@ -{(aLen == 0 ? aStart : aStart + 1)},{aLen} +{(bLen == 0 ? bStart : bStart + 1)},{bLen} @@\n");
            foreach (var o in hunk) sb.Append(o.Kind).Append(o.Text).Append('\n');
            i = end;
        }
        return sb.ToString();
    }

    readonly record struct Op(char Kind, string Text, int A, int B);

    static string[] Lines(string s) => s.Length == 0 ? [] : s.TrimEnd('\n').Split('\n');

    static List<Op> Diff(string[] a, string[] b)
    {
        var n = a.Length;
        var m = b.Length;
        var max = n + m;
        var v = new int[2 * max + 2];
        var trace = new List<int[]>();
        for (var d = 0; d <= max; d++)
        {
            trace.Add((int[])v.Clone());
            for (var k = -d; k <= d; k += 2)
            {
                var x = k == -d || (k != d && v[k - 1 + max] < v[k + 1 + max]) ? v[k + 1 + max] : v[k - 1 + max] + 1;
                var y = x - k;
                while (x < n && y < m && a[x] == b[y]) { x++; y++; }
                v[k + max] = x;
                if (x >= n && y >= m) return Backtrack(trace, a, b, max);
            }
        }
        return Backtrack(trace, a, b, max);
    }

    static List<Op> Backtrack(List<int[]> trace, string[] a, string[] b, int max)
    {
        var ops = new List<Op>();
        int x = a.Length, y = b.Length;
        for (var d = trace.Count - 1; d >= 0 && (x > 0 || y > 0); d--)
        {
            var v = trace[d];
            var k = x - y;
            var prevK = k == -d || (k != d && v[k - 1 + max] < v[k + 1 + max]) ? k + 1 : k - 1;
            var prevX = d == 0 ? 0 : v[prevK + max];
            var prevY = prevX - prevK;
            while (x > prevX && y > prevY) { x--; y--; ops.Add(new Op(' ', a[x], x, y)); }
            if (d > 0)
            {
                if (x == prevX) { y--; ops.Add(new Op('+', b[y], x, y)); }
                else { x--; ops.Add(new Op('-', a[x], x, y)); }
            }
        }
        ops.Reverse();
        return ops;
    }
}
