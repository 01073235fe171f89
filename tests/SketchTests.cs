using System.Text;
using Streaming.Stats;

namespace Streaming.Tests;

/// <summary>The documented error bounds of the sketches hold at sizes where they are approximate.</summary>
public class SketchTests
{
    [TestCase(1_000), TestCase(50_000), TestCase(1_000_000), TestCase(10_000_000)]
    public void HyperLogLogIsWithinTwoPercent(int n)
    {
        var h = new HyperLogLog();
        Span<byte> buf = stackalloc byte[16];
        for (int i = 0; i < n; i++)
        {
            Encoding.ASCII.TryGetBytes($"user-{i}", buf, out int len);
            h.AddHash(Hash64.Of(buf[..len]));
        }
        Assert.That(h.Estimate(), Is.EqualTo(n).Within(2).Percent);
    }

    [Test]
    public void KllRankErrorIsUnderOnePercentOnAMillionSkewedValues()
    {
        var rng = new Random(7);
        var data = Enumerable.Range(0, 1_000_000).Select(_ => Math.Exp(rng.NextDouble() * 10) * (rng.Next(3) == 0 ? -1 : 1)).ToArray();
        // Built from 8 partial sketches merged, as the job builds it.
        var parts = Enumerable.Range(0, 8).Select(_ => new KllSketch()).ToArray();
        for (int i = 0; i < data.Length; i++) parts[i % 8].Add(data[i]);
        var s = parts[0];
        foreach (var p in parts.Skip(1)) s.Merge(p);
        Array.Sort(data);
        var levels = Enumerable.Range(1, 99).Select(i => i / 100.0).ToArray();
        var qs = s.Quantiles(levels)!;
        for (int i = 0; i < levels.Length; i++)
            StatsVsPandasTests.AssertRankWithin(data, levels[i], qs[i], "kll");
        int retained = s.Levels.Sum(l => l.Count);
        Assert.That(retained, Is.LessThan(3 * KllSketch.DefaultK), "memory stays ~3k doubles");
    }

    [Test]
    public void FrequentValuesKeepHeavyHittersPastCapacity()
    {
        var f = new FrequentValues(100);
        var truth = new Dictionary<string, long>();
        var rng = new Random(3);
        for (int i = 0; i < 200_000; i++)
        {
            // Zipf-like: a few heavy values and a long tail of distinct ones.
            string v = rng.NextDouble() < 0.5 ? "heavy" + rng.Next(10) : "tail" + i;
            truth[v] = truth.GetValueOrDefault(v) + 1;
            f.Add(Encoding.UTF8.GetBytes(v));
        }
        Assert.That(f.Truncated);
        Assert.That(f.Count, Is.LessThanOrEqualTo(100));
        Assert.That(f.ErrorBound, Is.LessThanOrEqualTo(2 * 200_000 / 100));
        var got = f.Ordered().ToDictionary(t => t.Value, t => t.Count);
        for (int h = 0; h < 10; h++)
            Assert.That(got["heavy" + h], Is.InRange(truth["heavy" + h] - f.ErrorBound, truth["heavy" + h]));
    }
}
