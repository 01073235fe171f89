using System.Text;
using Streaming.Csv;
using Streaming.Stats;

namespace Streaming.Tests;

/// <summary>
/// Merging partial statistics is associative and commutative (the same command is combiner and reducer, and Hadoop
/// may combine any subset any number of times): every order and grouping gives the same exact fields, and the
/// approximate fields stay within their bounds.
/// </summary>
public class StatsMergeTests
{
    private static List<string[]> Rows() =>
        File.ReadLines(Repo.Data("blackfriday_sample.csv")).Skip(1).Select(l => l.Split(',')).ToList();

    private static string[] Partials(List<string[]> rows, int parts, int topCapacity)
    {
        var names = StatsJob.BlackFridayColumns.Split(',');
        var csv = new CsvOptions();
        var result = new List<string>();
        for (int p = 0; p < parts; p++)
        {
            var cols = names.Select((n, i) => new ColumnStats(n, i, n == "Occupation", topCapacity)).ToArray();
            for (int r = p; r < rows.Count; r += parts)
                for (int i = 0; i < cols.Length; i++)
                {
                    var v = Encoding.UTF8.GetBytes(rows[r][i]);
                    if (csv.IsMissing(v)) cols[i].AddMissing(); else cols[i].Add(v);
                }
            result.AddRange(cols.Select(StatsJson.Serialize));
        }
        return result.ToArray();
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1) { yield return items; yield break; }
        for (int i = 0; i < items.Length; i++)
            foreach (var rest in Permutations(items.Where((_, j) => j != i).ToArray()))
                yield return [items[i], .. rest];
    }

    /// <summary>Left fold, right fold and pairwise tree over one order: three different groupings.</summary>
    private static IEnumerable<ColumnStats> Groupings(IReadOnlyList<string> partials)
    {
        ColumnStats D(int i) => StatsJson.Deserialize(partials[i]);
        var left = D(0);
        for (int i = 1; i < partials.Count; i++) left.Merge(D(i));
        yield return left;
        var right = D(partials.Count - 1);
        for (int i = partials.Count - 2; i >= 0; i--) { var x = D(i); x.Merge(right); right = x; }
        yield return right;
        var level = Enumerable.Range(0, partials.Count).Select(D).ToList();
        while (level.Count > 1)
        {
            var next = new List<ColumnStats>();
            for (int i = 0; i < level.Count; i += 2)
            {
                if (i + 1 < level.Count) level[i].Merge(StatsJson.Deserialize(StatsJson.Serialize(level[i + 1])));
                next.Add(level[i]);
            }
            level = next;
        }
        yield return level[0];
    }

    [TestCase(10_000)]
    [TestCase(300)]
    public void EveryOrderAndGroupingAgrees(int topCapacity)
    {
        var rows = Rows();
        var partials = Partials(rows, 4, topCapacity);
        var whole = Partials(rows, 1, topCapacity).Select(StatsJson.Deserialize).ToDictionary(s => s.Name);
        foreach (var column in whole.Keys)
        {
            var mine = partials.Where(p => StatsJson.Deserialize(p).Name == column).ToArray();
            var exact = whole[column];
            var sorted = rows.Select(r => r[exact.Index]).Where(v => v.Length > 0)
                .Select(v => double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : double.NaN)
                .Where(d => !double.IsNaN(d)).Order().ToArray();
            foreach (var order in Permutations([0, 1, 2, 3]))
                foreach (var merged in Groupings(order.Select(i => mine[i]).ToList()))
                {
                    string at = $"{column} order {string.Join("", order)}";
                    Assert.That(merged.Count, Is.EqualTo(exact.Count), at);
                    Assert.That(merged.Missing, Is.EqualTo(exact.Missing), at);
                    Assert.That(merged.NonNumeric, Is.EqualTo(exact.NonNumeric), at);
                    Assert.That(merged.Kind, Is.EqualTo(exact.Kind), at);
                    Assert.That(merged.Top.Truncated, Is.EqualTo(exact.Top.Truncated || merged.Top.Truncated), at);
                    if (!merged.Top.Truncated)
                    {
                        Assert.That(merged.Top.Ordered(), Is.EqualTo(exact.Top.Ordered()), at);
                        Assert.That(merged.DistinctCount, Is.EqualTo(exact.DistinctCount), at);
                    }
                    else
                    {
                        var truth = exact.Top.Truncated ? null : exact.Top.Ordered().ToDictionary(t => t.Value, t => t.Count);
                        Assert.That(merged.Top.ErrorBound, Is.LessThanOrEqualTo(2 * merged.Count / topCapacity + 1), at);
                        if (truth is not null)
                            foreach (var (v, c) in merged.Top.Ordered()) Assert.That(c, Is.InRange(truth[v] - merged.Top.ErrorBound, truth[v]), at);
                        // The HLL registers merge by max: the estimate is the same whatever the order.
                        Assert.That(merged.Distinct.Estimate(), Is.EqualTo(exact.Distinct.Estimate()), at);
                    }
                    if (merged.Kind != "numeric") continue;
                    Assert.That(merged.Min, Is.EqualTo(exact.Min), at);
                    Assert.That(merged.Max, Is.EqualTo(exact.Max), at);
                    // Exact sums: the same bits in any order and grouping, not merely close.
                    Assert.That(merged.Mean, Is.EqualTo(exact.Mean), at);
                    Assert.That(merged.Std, Is.EqualTo(exact.Std), at);
                    var qs = merged.Quantiles.Quantiles(ColumnStats.QuantileLevels)!;
                    for (int i = 0; i < qs.Length; i++)
                        StatsVsPandasTests.AssertRankWithin(sorted, ColumnStats.QuantileLevels[i], qs[i], at);
                }
        }
    }
}
