using System.Text;
using Streaming.Core;
using Streaming.Csv;
using Streaming.Stats;

namespace Streaming.Tests;

/// <summary>
/// Runs of one value (rows grouped by an ID) take a shortcut in <see cref="ColumnStats"/>: the statistics must be
/// exactly those of the values, whatever the runs, across the frequency table's decrements and for every kind of
/// value (missing tokens, text, numbers, values sharing their first 8 bytes, values too long for the shortcut).
/// </summary>
public class ColumnStatsRunsTests
{
    private static List<string> Stream(int seed)
    {
        var rng = new Random(seed);
        var values = new List<string>();
        string[] fixedValues = ["", "NA", "?", "P0000000-1", "P0000000-2", "P0000000-12", "P0000000-1x", "a-value-longer-than-16-bytes-1",
            "a-value-longer-than-16-bytes-2", "12", "-3.5", "1e3", "123456789012345678"];
        for (int i = 0; i < 60_000; i++)
        {
            string v = rng.Next(4) switch
            {
                0 => fixedValues[rng.Next(fixedValues.Length)],
                1 => "user" + rng.Next(5_000),               // high cardinality: the table overflows and decrements
                2 => rng.Next(1_000).ToString(),
                _ => "heavy" + rng.Next(3),
            };
            int run = rng.Next(10) < 7 ? rng.Next(1, 30) : 1;
            for (int r = 0; r < run; r++) values.Add(v);
        }
        return values;
    }

    [TestCase(1, false), TestCase(2, true)]
    public void Runs_give_exactly_the_statistics_of_their_values(int seed, bool categorical)
    {
        var csv = new CsvOptions();
        var values = Stream(seed);
        var stats = new ColumnStats("c", 0, categorical, topCapacity: 64, csv.Missing);
        var reference = new ReferenceMisraGries(64);
        for (int i = 0; i < values.Count; i++)
        {
            stats.Add(Encoding.UTF8.GetBytes(values[i]));
            if (!csv.IsMissing(Encoding.UTF8.GetBytes(values[i]))) reference.Add(values[i]);
            // A reader in the middle of a run compacts the table (entries move); the run must go on counting right.
            if (i % 7919 == 7918)
            {
                Assert.That(stats.Complete().Top.Ordered().Count(), Is.LessThanOrEqualTo(64));
                reference.Compact();
            }
        }
        stats.Complete();
        // The table is deterministic: the same decrements as a plain dictionary implementation, count for count.
        Assert.That(stats.Top.Ordered().ToList(), Is.EqualTo(reference.Ordered()));
        Assert.That(stats.Top.ErrorBound, Is.EqualTo(reference.ErrorBound));

        var present = values.Where(v => !csv.IsMissing(Encoding.UTF8.GetBytes(v))).ToList();
        var numbers = present.Select(v => NumberParser.TryParse(Encoding.UTF8.GetBytes(v), out double x) ? (double?)x : null).ToList();
        Assert.That(stats.Missing, Is.EqualTo(values.Count - present.Count));
        Assert.That(stats.Count, Is.EqualTo(present.Count));
        Assert.That(stats.NonNumeric, Is.EqualTo(numbers.Count(x => x is null)));
        Assert.That(stats.Top.Truncated, Is.True, "the stream overflows the table");

        // Misra–Gries: every kept count is a lower bound within the error bound; every value above the bound is kept.
        var truth = present.GroupBy(v => v).ToDictionary(g => g.Key, g => (long)g.Count());
        var kept = stats.Top.Ordered().ToDictionary(t => t.Value, t => t.Count);
        Assert.That(stats.Top.ErrorBound, Is.LessThanOrEqualTo(present.Count / 65));
        foreach (var (v, c) in kept) Assert.That(c, Is.InRange(truth[v] - stats.Top.ErrorBound, truth[v]), v);
        foreach (var (v, c) in truth.Where(t => t.Value > stats.Top.ErrorBound)) Assert.That(kept.ContainsKey(v), Is.True, $"heavy value {v} ({c}) kept");
        Assert.That(stats.DistinctCount, Is.EqualTo(truth.Count).Within(3).Percent);
    }

    [Test]
    public void Runs_of_numbers_weigh_in_the_moments()
    {
        var stats = new ColumnStats("n", 0, false, topCapacity: 4, new CsvOptions().Missing);
        var values = new List<double>();
        var rng = new Random(5);
        for (int i = 0; i < 20_000; i++)
        {
            double x = rng.Next(-500, 500) / 4.0;
            int run = rng.Next(1, 12);
            for (int r = 0; r < run; r++)
            {
                values.Add(x);
                stats.Add(Encoding.UTF8.GetBytes(x.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        double mean = values.Average();
        double m2 = values.Sum(x => (x - mean) * (x - mean));
        stats.Complete();
        Assert.That(stats.IsNumeric, Is.True);
        Assert.That(stats.NumericCount, Is.EqualTo(values.Count));
        // Quarter values: every partial sum is exact in double, so Average is the correctly rounded mean, as ours is.
        Assert.That(stats.Mean, Is.EqualTo(mean));
        Assert.That(stats.Std, Is.EqualTo(Math.Sqrt(m2 / (values.Count - 1))).Within(1e-9).Percent);
        Assert.That(stats.Min, Is.EqualTo(values.Min()));
        Assert.That(stats.Max, Is.EqualTo(values.Max()));
        Assert.That(stats.Quantiles.Count, Is.EqualTo(values.Count));
    }

    /// <summary>Misra–Gries as FrequentValues documents it, on a dictionary: up to 1.5 × capacity entries, then
    /// a decrement by the (capacity+1)-th largest count; compaction to capacity before reading.</summary>
    private sealed class ReferenceMisraGries(int capacity)
    {
        private Dictionary<string, long> _counts = [];
        public long ErrorBound { get; private set; }

        public void Add(string v)
        {
            _counts[v] = _counts.GetValueOrDefault(v) + 1;
            if (_counts.Count > capacity + Math.Max(1, capacity / 2)) Decrement();
        }

        public void Compact()
        {
            if (_counts.Count > capacity) Decrement();
        }

        private void Decrement()
        {
            long cut = _counts.Values.OrderByDescending(c => c).ElementAt(capacity);
            ErrorBound += cut;
            _counts = _counts.Where(e => e.Value > cut).ToDictionary(e => e.Key, e => e.Value - cut);
        }

        public List<(string, long)> Ordered()
        {
            Compact();
            return _counts.OrderByDescending(e => e.Value).ThenBy(e => Encoding.UTF8.GetBytes(e.Key), ByteArrayComparer.Instance)
                .Select(e => (e.Key, e.Value)).ToList();
        }
    }

    [Test]
    public void StatisticsAreReadOnlyFromACompletedColumnAndReadingChangesNothing()
    {
        var stats = new ColumnStats("d", 0, topCapacity: 8, missingTokens: new CsvOptions().Missing);
        foreach (var v in new[] { "1", "NA", "2", "2" }) stats.Add(Encoding.UTF8.GetBytes(v));
        // Deferred: the values sit in the exact table (the missing token too) until they are folded in.
        Assert.That(() => stats.Count, Throws.InvalidOperationException.With.Message.Contains("before Complete()"));
        Assert.That(() => stats.Top, Throws.InvalidOperationException);
        stats.Complete();
        Assert.That((stats.Count, stats.Missing, stats.NumericCount, stats.Mean), Is.EqualTo((3L, 1L, 3L, 5.0 / 3)));
        Assert.That((stats.Count, stats.Missing, stats.Top.Count), Is.EqualTo((3L, 1L, 2)), "reading twice reads the same");
    }
}
