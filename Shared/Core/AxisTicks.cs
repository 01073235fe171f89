namespace Streaming.Core;

/// <summary>Round tick values for a chart's axis (the training curve, the statistics report's histograms).</summary>
public static class AxisTicks
{
    /// <summary>Round values covering [lo, hi], about <paramref name="count"/> of them (1, 2, 2.5, 5 × 10^k steps); with
    /// <paramref name="integers"/> whole steps and only ticks inside the range.</summary>
    public static double[] Of(double lo, double hi, int count, bool integers)
    {
        double raw = (hi - lo) / Math.Max(1, count - 1), magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        if (integers) step = Math.Max(1, Math.Ceiling(step));
        double first = Math.Floor(lo / step) * step, last = Math.Ceiling(hi / step) * step;
        var ticks = new List<double>();
        for (double t = first; t <= last + step / 2; t += step) ticks.Add(Math.Round(t / step) * step);
        if (integers) ticks.RemoveAll(t => t < lo || t > hi);
        return ticks.ToArray();
    }
}
