using Streaming.Stats;

namespace Streaming.Validation;

/// <summary>
/// Distances between a column's distribution today and in a baseline, as TFDV defines them: L∞ (the largest
/// difference of any value's share) for categorical columns, Jensen–Shannon divergence (base 2, in [0, 1]) for
/// numeric ones — here over bins whose edges are both sketches' 5 %…95 % quantiles, the bins' masses read from the
/// KLL sketches' cumulative distributions (each within the sketch's ~1 % rank error).
/// </summary>
public static class Drift
{
    private static readonly double[] EdgeLevels = Enumerable.Range(1, 19).Select(i => i * 0.05).ToArray();

    /// <summary>L∞ of the value shares (share = count / non-missing count); with a truncated table, of the kept values.</summary>
    public static double LInfinity(ColumnStats today, ColumnStats baseline)
    {
        var p = Shares(today);
        var q = Shares(baseline);
        double worst = 0;
        foreach (var v in p.Keys.Union(q.Keys))
            worst = Math.Max(worst, Math.Abs(p.GetValueOrDefault(v) - q.GetValueOrDefault(v)));
        return worst;
    }

    public static Dictionary<string, double> Shares(ColumnStats s) =>
        s.Count == 0 ? [] : s.Top.Ordered().ToDictionary(t => t.Value, t => (double)t.Count / s.Count);

    /// <summary>The bin edges both numeric sketches are compared over (ascending, distinct).</summary>
    public static double[] Edges(ColumnStats today, ColumnStats baseline) =>
        (today.Quantiles.Quantiles(EdgeLevels) ?? []).Concat(baseline.Quantiles.Quantiles(EdgeLevels) ?? [])
            .Distinct().Order().ToArray();

    /// <summary>Bin masses: (−∞, e0], (e0, e1], …, (e_last, ∞).</summary>
    public static double[] Masses(KllSketch sketch, double[] edges)
    {
        var cdf = sketch.Cdf(edges);
        var m = new double[edges.Length + 1];
        double below = 0;
        for (int i = 0; i < edges.Length; i++) { m[i] = cdf[i] - below; below = cdf[i]; }
        m[^1] = 1 - below;
        return m;
    }

    public static double JensenShannon(double[] p, double[] q)
    {
        double js = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double m = (p[i] + q[i]) / 2;
            if (p[i] > 0) js += 0.5 * p[i] * Math.Log2(p[i] / m);
            if (q[i] > 0) js += 0.5 * q[i] * Math.Log2(q[i] / m);
        }
        return Math.Clamp(js, 0, 1);
    }
}
