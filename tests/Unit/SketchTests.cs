using System.Text;
using Streaming.Core;
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
        Assert.That(f.Count, Is.LessThanOrEqualTo(150), "at most 1.5 × capacity while counting");
        var got = f.Ordered().ToDictionary(t => t.Value, t => t.Count);
        Assert.That(got, Has.Count.LessThanOrEqualTo(100), "what leaves the table is at most capacity");
        Assert.That(f.ErrorBound, Is.LessThanOrEqualTo(200_000 / 101));
        for (int h = 0; h < 10; h++)
            Assert.That(got["heavy" + h], Is.InRange(truth["heavy" + h] - f.ErrorBound, truth["heavy" + h]));
    }

    [Test]
    public void FrequentValuesTellApartValuesThatPackAlike()
    {
        // Short values are compared as one packed word: lengths, NUL bytes, the 7/8-byte boundary and UTF-8 must
        // still give one entry per distinct byte string, with exact counts.
        string[] values = ["", "\0", "\0\0", "1", "1\0", "\01", "12", "1234567", "12345678", "1234567\0", "123456789",
            "P00069042", "P00069042-1", "123456789012345", "1234567890123456", "12345678901234\0", "é", "e\u0301", "ab", "ba", "abcdefg", "abcdefh", new string('x', 256)];
        var f = new FrequentValues(1000);
        var truth = new Dictionary<string, long>();
        var rng = new Random(11);
        for (int i = 0; i < 20_000; i++)
        {
            var v = values[rng.Next(values.Length)];
            truth[v] = truth.GetValueOrDefault(v) + 1;
            f.Add(Encoding.UTF8.GetBytes(v));
        }
        Assert.That(f.Truncated, Is.False);
        Assert.That(f.Ordered().ToDictionary(t => t.Value, t => t.Count), Is.EquivalentTo(truth));
    }

    [Test]
    public void Hash64IsMurmurHash64A()
    {
        // The distinct sketch's hash is persisted in partials: it must stay the reference MurmurHash64A, byte for byte.
        static ulong Reference(byte[] data, ulong seed)
        {
            const ulong m = 0xc6a4a7935bd1e995;
            ulong h = seed ^ ((ulong)data.Length * m);
            int i = 0;
            for (; i + 8 <= data.Length; i += 8)
            {
                ulong k = BitConverter.ToUInt64(data, i);
                k *= m; k ^= k >> 47; k *= m;
                h ^= k; h *= m;
            }
            int rest = data.Length - i;
            if (rest > 0)
            {
                ulong t = 0;
                for (int j = rest - 1; j >= 0; j--) t = (t << 8) | data[i + j];
                h ^= t; h *= m;
            }
            h ^= h >> 47; h *= m; h ^= h >> 47;
            return h;
        }
        var rng = new Random(5);
        for (int len = 0; len <= 40; len++)
            for (int k = 0; k < 20; k++)
            {
                var data = new byte[len];
                rng.NextBytes(data);
                Assert.That(Hash64.Of(data), Is.EqualTo(Reference(data, 0x9E3779B97F4A7C15)), $"length {len}");
            }
    }

    [Test]
    public void KthLargestAgreesWithSorting()
    {
        var rng = new Random(9);
        foreach (int n in new[] { 1, 2, 3, 10, 101, 5000 })
            for (int trial = 0; trial < 20; trial++)
            {
                // Many ties, as counts have.
                var values = Enumerable.Range(0, n).Select(_ => (long)rng.Next(1, 1 + Math.Max(1, n / 4))).ToArray();
                int rank = rng.Next(1, n + 1);
                long expected = values.OrderByDescending(v => v).ElementAt(rank - 1);
                Assert.That(Selection.KthLargest(values.ToArray(), rank), Is.EqualTo(expected), $"n {n} rank {rank}");
            }
    }

    [Test]
    public void WeightedKllIsExactWhileSmall()
    {
        // A weight w becomes one item per set bit of w, so 40 weighted values stay far below k items, no compaction
        // happens, and the sketch answers exactly what the repeated values give.
        var weighted = new KllSketch();
        var repeated = new List<double>();
        var rng = new Random(4);
        for (int i = 0; i < 40; i++)
        {
            double x = rng.Next(1000);
            int w = rng.Next(1, 500);
            weighted.Add(x, w);
            repeated.AddRange(Enumerable.Repeat(x, w));
        }
        Assert.That(weighted.Count, Is.EqualTo(repeated.Count));
        repeated.Sort();
        var levels = Enumerable.Range(1, 99).Select(i => i / 100.0).ToArray();
        var exact = levels.Select(q => repeated[Math.Max(0, (int)Math.Ceiling(q * repeated.Count) - 1)]).ToArray();
        Assert.That(weighted.Quantiles(levels), Is.EqualTo(exact));
    }
}
