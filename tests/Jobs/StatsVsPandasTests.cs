using System.Text.Json;
using Streaming.Stats;

namespace Streaming.Tests;

/// <summary>
/// The statistics job on the real data sets, split into ≥ 4 map tasks and 2 reducers, agrees with pandas:
/// exact fields equal, mean/std to 1e-9 relative, quantiles within the sketch's documented 1 % rank error.
/// </summary>
public class StatsVsPandasTests
{
    public const double RankError = 0.01;

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("blackfriday_sample.csv", "--categorical Occupation --columns " + StatsJob.BlackFridayColumns, 150_000L,
            new[] { "--categorical", "Occupation" }, 6).SetName("BlackFriday");
        yield return new TestCaseData("adult.data", "--header none --columns " + StatsJob.AdultColumns, 500_000L,
            new[] { "--no-header", "--columns", StatsJob.AdultColumns }, 8).SetName("Adult");
        yield return new TestCaseData("seattle-weather.csv", "", 10_000L, Array.Empty<string>(), 5).SetName("SeattleWeatherHeaderFromFirstSplit");
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesPandas(string file, string mapperArgs, long blockSize, string[] pandasArgs, int expectedMaps)
    {
        // Seattle has no --columns: only the split at offset 0 sees the header, so the job must fail loudly
        // on the other splits rather than invent names.
        if (mapperArgs.Length == 0)
        {
            var dir = Repo.TempDir("noheader");
            var p = Proc.Run(Repo.Runner, "-D", $"fs.local.block.size={blockSize}", "-D", "mapreduce.map.maxattempts=1", "-input", Repo.Data(file),
                "-output", Path.Combine(dir, "out"), "-mapper", $"'{Repo.Mapper}' stats", "-reducer", $"'{Repo.Reducer}' stats");
            Assert.That(p.ExitCode, Is.EqualTo(1));
            Assert.That(p.Stderr, Does.Contain("pass --columns"));
            mapperArgs = "--columns " + File.ReadLines(Repo.Data(file)).First();
        }
        var job = StatsJob.Run(Repo.Data(file), mapperArgs, blockSize);
        Assert.That(job.Counter("Map-Reduce Framework", "Reduce input groups"), Is.EqualTo(job.Columns.Count));
        Assert.That(job.Process.Stderr, Does.Contain($"_m_{expectedMaps - 1:D6}_0 done"));
        Assert.That(job.Process.Stderr, Does.Not.Contain($"_m_{expectedMaps:D6}_0 done"));
        Assert.That(Directory.GetFiles(job.OutputDir, "part-*"), Has.Length.EqualTo(2));

        var py = Proc.Python("pandas_stats.py", new[] { Repo.Data(file) }.Concat(pandasArgs).ToArray());
        Assert.That(py.ExitCode, Is.EqualTo(0), py.Stderr);
        using var expected = JsonDocument.Parse(py.Stdout);
        Assert.That(job.Columns.Keys, Is.EquivalentTo(expected.RootElement.EnumerateObject().Select(p => p.Name)));
        foreach (var col in expected.RootElement.EnumerateObject())
        {
            var e = col.Value;
            var s = job.Columns[col.Name];
            string at = $"column {col.Name}";
            Assert.That(s.Count, Is.EqualTo(e.GetProperty("count").GetInt64()), at + " count");
            Assert.That(s.Missing, Is.EqualTo(e.GetProperty("missing").GetInt64()), at + " missing");
            Assert.That(s.Kind, Is.EqualTo(e.GetProperty("kind").GetString()), at + " kind");
            long distinct = e.GetProperty("distinct").GetInt64();
            var top = s.Top.Ordered().ToDictionary(t => t.Value, t => t.Count);
            var expectedTop = e.GetProperty("top").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
            if (distinct <= FrequentValues.DefaultCapacity)
            {
                Assert.That(s.DistinctExact, at + " distinct exact");
                Assert.That(s.DistinctCount, Is.EqualTo(distinct), at + " distinct");
                Assert.That(top, Is.EquivalentTo(expectedTop), at + " top values");
            }
            else
            {
                // Past the capacity: HyperLogLog within 2 %, heavy hitters with counts off by at most the error bound.
                Assert.That(s.DistinctExact, Is.False, at);
                Assert.That(s.Top.Truncated, at + " top_truncated");
                Assert.That(s.DistinctCount, Is.EqualTo(distinct).Within(2).Percent, at + " distinct estimate");
                long err = s.Top.ErrorBound;
                Assert.That(err, Is.LessThanOrEqualTo(2 * s.Count / FrequentValues.DefaultCapacity + 1), at + " error bound");
                foreach (var (v, c) in top) Assert.That(c, Is.InRange(expectedTop[v] - err, expectedTop[v]), $"{at} count of {v}");
                foreach (var (v, c) in expectedTop.Where(kv => kv.Value > err)) Assert.That(top.ContainsKey(v), $"{at} heavy hitter {v} ({c})");
            }
            if (s.Kind != "numeric") continue;
            Assert.That(s.Min, Is.EqualTo(e.GetProperty("min").GetDouble()), at + " min");
            Assert.That(s.Max, Is.EqualTo(e.GetProperty("max").GetDouble()), at + " max");
            Assert.That(s.Mean, Is.EqualTo(e.GetProperty("mean").GetDouble()).Within(1e-9).Percent.Or.EqualTo(e.GetProperty("mean").GetDouble()).Within(1e-7), at + " mean");
            Assert.That(s.Std!.Value, Is.EqualTo(e.GetProperty("std").GetDouble()).Within(1e-7).Percent, at + " std");
            var values = e.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var qs = job.Json[col.Name].GetProperty("quantiles");
            foreach (var q in qs.EnumerateObject())
                AssertRankWithin(values, double.Parse(q.Name, System.Globalization.CultureInfo.InvariantCulture), q.Value.GetDouble(), at);
        }
    }

    /// <summary>q lies within the rank interval of v in the sorted data, widened by the rank error.</summary>
    public static void AssertRankWithin(double[] sorted, double q, double v, string at)
    {
        int lo = LowerBound(sorted, v), hi = UpperBound(sorted, v);
        double n = sorted.Length;
        Assert.That(q, Is.InRange(lo / n - RankError, hi / n + RankError), $"{at} quantile {q} = {v} has ranks [{lo / n:F4}, {hi / n:F4}]");
    }

    private static int LowerBound(double[] a, double v) { int i = Array.BinarySearch(a, v); if (i < 0) return ~i; while (i > 0 && a[i - 1] == v) i--; return i; }
    private static int UpperBound(double[] a, double v) { int i = Array.BinarySearch(a, v); if (i < 0) return ~i; while (i < a.Length && a[i] == v) i++; return i; }
}
