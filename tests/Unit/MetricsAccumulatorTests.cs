using Streaming.Transform;
using Streaming.Model;

namespace Streaming.Tests;

/// <summary>Metrics over streamed batches: the same as over all rows at once, in memory independent of the row count.</summary>
public class MetricsAccumulatorTests
{
    [Test]
    public void BatchByBatchEqualsAllAtOnceAndTheHistogramAucStaysWithinItsResolution()
    {
        var rng = new Random(4);
        int n = MetricsAccumulator.ExactAucRows + 500_000;   // past the exact limit: the histograms take over
        var scores = new double[n];
        var labels = new float[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = rng.NextDouble() < 0.3 ? 1 : 0;
            // Informative but overlapping scores, many close to 0 and 1 (where a linear binning would tie them all).
            double z = rng.NextDouble() * 6 - 3 + (labels[i] > 0 ? 1.2 : 0);
            scores[i] = 1 / (1 + Math.Exp(-3 * z));
        }
        double exact = Metrics.Auc(scores, labels);
        var streamed = new MetricsAccumulator(TaskKind.Binary, 1);
        for (int start = 0; start < n; start += 4096)
            streamed.Add(scores.AsSpan(start, Math.Min(4096, n - start)), labels.AsSpan(start, Math.Min(4096, n - start)));
        Assert.That(streamed.AucExact, Is.False);
        var m = streamed.Result();
        Assert.That(m["count"], Is.EqualTo(n));
        Assert.That(m["auc"], Is.EqualTo(exact).Within(1e-4), "2^-11 relative bins");

        // Below the limit the AUC is the exact rank sum, and batches change nothing.
        var small = new MetricsAccumulator(TaskKind.Binary, 1);
        for (int start = 0; start < 100_000; start += 1000) small.Add(scores.AsSpan(start, 1000), labels.AsSpan(start, 1000));
        Assert.That(small.AucExact, Is.True);
        Assert.That(small.Result()["auc"], Is.EqualTo(Metrics.Auc(scores.AsSpan(0, 100_000), labels.AsSpan(0, 100_000))));
    }

    [Test]
    public void RegressionMetricsAreTheTwoPassOnes()
    {
        var rng = new Random(9);
        int n = 200_000;
        var y = Enumerable.Range(0, n).Select(_ => (float)(10_000 + rng.NextDouble() * 5_000)).ToArray();
        var p = y.Select(v => v + (rng.NextDouble() - 0.5) * 2_000).ToArray();
        var acc = new MetricsAccumulator(TaskKind.Regression, 1);
        for (int start = 0; start < n; start += 512) acc.Add(p.AsSpan(start, Math.Min(512, n - start)), y.AsSpan(start, Math.Min(512, n - start)));
        var m = acc.Result();
        double mean = y.Average(v => (double)v);
        double tss = y.Sum(v => (v - mean) * (v - mean)), se = y.Select((v, i) => (p[i] - v) * (p[i] - v)).Sum();
        Assert.That(m["rmse"], Is.EqualTo(Math.Sqrt(se / n)).Within(1e-9).Percent);
        Assert.That(m["mae"], Is.EqualTo(y.Select((v, i) => Math.Abs(p[i] - v)).Sum() / n).Within(1e-9).Percent);
        Assert.That(m["r2"], Is.EqualTo(1 - se / tss).Within(1e-9));
    }
}
