using System.Globalization;
using System.Text;
using System.Text.Json;
using Streaming.Stats;

namespace Streaming.Tests;

/// <summary>
/// The statistics' exact fields — count, missing, min, max, mean, std — are the same bytes whatever the split layout,
/// the number of reducers, whether the combiner ran and the order in which a reducer receives one key's values
/// (the local runner hands them over in Hadoop's merge order, which changes with the split layout); and mean and std
/// are the correctly rounded values of the exact rationals (checked against Python's fractions).
/// </summary>
public class ExactMomentsTests
{
    private static readonly string[] ExactFields = ["count", "missing", "non_numeric", "kind", "min", "max", "mean", "std"];

    /// <summary>Columns a floating-point sum gets wrong in order-dependent ways: cancellation, huge and tiny values.</summary>
    private static string AdversarialCsv()
    {
        var path = Path.Combine(Repo.TempDir("exact"), "adversarial.csv");
        var rng = new Random(11);
        var sb = new StringBuilder("money,wide,cancel,huge,tiny\n");
        string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        for (int i = 0; i < 30_000; i++)
        {
            double money = Math.Round(rng.NextDouble() * 20_000, 2);
            double wide = (rng.Next(2) == 0 ? -1 : 1) * Math.Pow(10, rng.Next(-300, 300)) * rng.NextDouble();
            double cancel = (i % 3) switch { 0 => 1e16, 1 => -1e16, _ => rng.NextDouble() };
            double huge = (rng.Next(2) == 0 ? -1 : 1) * (1e155 + rng.NextDouble() * 1e306);
            double tiny = rng.Next(1, 1000) * double.Epsilon;   // subnormals: their squares are below double's range
            string m = i % 97 == 0 ? "" : R(money);           // some missing values
            sb.Append(m).Append(',').Append(R(wide)).Append(',').Append(R(cancel)).Append(',').Append(R(huge)).Append(',').Append(R(tiny)).Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Test]
    public void ExactFieldsAreTheSameBytesForAnySplitLayoutReducerCountAndCombinerAndEqualTheExactRationals()
    {
        var csv = AdversarialCsv();
        // 1 map (no merge at all), 6 and a dozen maps over 1 and 2 reducers, with and without the combiner.
        long size = new FileInfo(csv).Length;
        Assert.That(size / 180_000, Is.GreaterThanOrEqualTo(12), "the small block size makes a dozen maps");
        var layouts = new (long Block, int Reducers, bool Combiner)[] { (64L << 20, 1, true), (size / 6 + 1, 2, true), (180_000, 1, false), (180_000, 2, true) };
        var runs = layouts.Select(r => (Run: r, Job: StatsJob.Run(csv, "--columns money,wide,cancel,huge,tiny", r.Block, r.Reducers, r.Combiner))).ToList();

        var reference = Proc.Python("exact_moments.py", csv);
        Assert.That(reference.ExitCode, Is.EqualTo(0), reference.Stderr);
        var truth = reference.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("column").GetString()!);
        Assert.That(truth.Keys, Is.EquivalentTo(new[] { "money", "wide", "cancel", "huge", "tiny" }));

        foreach (var column in truth.Keys)
        {
            var first = runs[0].Job.Json[column];
            foreach (var (run, job) in runs.Skip(1))
                foreach (var field in ExactFields)
                    Assert.That(job.Json[column].GetProperty(field).GetRawText(), Is.EqualTo(first.GetProperty(field).GetRawText()),
                        $"{column}.{field} with block {run.Block}, {run.Reducers} reducer(s), combiner {run.Combiner}");
            double Ours(string f) => first.GetProperty(f).GetDouble();
            double Python(string f) => double.Parse(truth[column].GetProperty(f).GetString()!, CultureInfo.InvariantCulture);
            Assert.That(Ours("mean"), Is.EqualTo(Python("mean")), $"{column}: mean is the correctly rounded Σx/n");
            Assert.That(Ours("std"), Is.EqualTo(Python("std")), $"{column}: std is the correctly rounded √variance");
        }
        // The sums a double cannot hold (|Σx| past 1e308, x² of 1e306) still give finite, exact answers.
        Assert.That(double.IsFinite(runs[0].Job.Json["huge"].GetProperty("std").GetDouble()));
        Assert.That(runs[0].Job.Json["tiny"].GetProperty("std").GetDouble(), Is.GreaterThan(0), "squares of subnormals are not lost");
    }

    [Test]
    public void TheExactSumRoundTripsThroughAPartialAndMergesInAnyOrder()
    {
        var rng = new Random(3);
        var values = Enumerable.Range(0, 5_000).Select(_ => (rng.Next(2) == 0 ? -1 : 1) * Math.Pow(2, rng.Next(-1074, 1023)) * (1 + rng.NextDouble())).ToArray();
        values = values.Select(v => double.IsFinite(v) ? v : 1.0).ToArray();
        string Merged(IEnumerable<double[]> parts)
        {
            var total = new Moments();
            foreach (var part in parts)
            {
                var m = new Moments();
                foreach (var v in part) m.Add(v, 1 + (long)(Math.Abs(v) % 3));
                var (sum, squares) = m.State;
                total.Merge(Moments.FromState(m.Count, sum, squares));   // through the partial's text form
            }
            return $"{total.Count} {total.State} {total.Mean:R} {total.Std:R}";
        }
        string whole = Merged([values]);
        for (int trial = 0; trial < 5; trial++)
        {
            var shuffled = values.OrderBy(_ => rng.Next()).ToArray();
            int cut1 = rng.Next(shuffled.Length), cut2 = rng.Next(cut1, shuffled.Length);
            Assert.That(Merged([shuffled[cut2..], shuffled[..cut1], shuffled[cut1..cut2]]), Is.EqualTo(whole), $"trial {trial}");
        }
        Assert.That(new Moments().Mean, Is.Null);
    }
}
