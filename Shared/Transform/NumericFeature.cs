using System.Globalization;
using System.Text.Json.Serialization;
using Streaming.Core;
using Streaming.TfRecord;
using Streaming.Stats;

namespace Streaming.Transform;

[JsonConverter(typeof(ScaleKindJson))]
public enum ScaleKind
{
    /// <summary>(x − min) / (max − min).</summary>
    MinMax,
    /// <summary>(x − mean) / std.</summary>
    ZScore,
    None,
}

/// <summary>A numeric column: <c>(value, or impute_value when missing, − offset) × factor</c> as one float32.</summary>
public sealed record NumericFeature : FeatureSpec
{
    /// <summary>mean | median | zero | constant:V — how <see cref="ImputeValue"/> was chosen.</summary>
    public required string Impute { get; init; }
    public required double ImputeValue { get; init; }
    public required ScaleKind Scale { get; init; }
    public required double Offset { get; init; }
    public required double Factor { get; init; }
    /// <summary>
    /// Bin edges in the scaled space, strictly increasing: the column's minimum, quantiles at 1/B … (B−1)/B from the
    /// statistics' KLL sketch, its maximum (repeats merged). The trainer's piecewise-linear encoding (Gorishniy et al.,
    /// NeurIPS 2022) gives the network one input per bin: 0 below it, 1 above it, the position inside it in between.
    /// Null: no bins (a constant column, or <c>--bins 0</c>).
    /// </summary>
    public IReadOnlyList<double>? Bins { get; init; }
    /// <summary>The training data's smallest and largest value (raw): a scored value outside is counted (<see cref="FeatureOutcome.OutOfRange"/>). Null in plans from before they were kept.</summary>
    public double? Min { get; init; }
    public double? Max { get; init; }

    public override string DType => "float32";
    public override int Length => 1;

    /// <summary>The plan step: impute value and scale constants from the column's statistics.</summary>
    public static NumericFeature Plan(ColumnStats s, string impute, string scale, int bins = 0)
    {
        double imputeValue = impute switch
        {
            "mean" => s.Mean,
            "median" => s.Quantiles.Quantiles([0.5])![0],
            "zero" => 0,
            _ when impute.StartsWith("constant:", StringComparison.Ordinal)
                && double.TryParse(impute["constant:".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) => v,
            _ => throw new ConfigException("impute", $"for '{s.Name}' must be mean|median|zero|constant:V, got '{impute}'"),
        };
        var kind = scale switch
        {
            "minmax" => ScaleKind.MinMax,
            "zscore" => ScaleKind.ZScore,
            "none" => ScaleKind.None,
            _ => throw new ConfigException("scale", $"for '{s.Name}' must be minmax|zscore|none, got '{scale}'"),
        };
        (double offset, double factor) = kind switch
        {
            ScaleKind.MinMax => (s.Min, s.Max > s.Min ? 1.0 / (s.Max - s.Min) : 0.0),
            ScaleKind.ZScore when s.Std is { } big && !double.IsFinite(big) =>
                throw new ConfigException("scale", $"zscore cannot scale column '{s.Name}': its standard deviation is beyond double precision's range (use minmax or none)"),
            ScaleKind.ZScore => (s.Mean, s.Std is { } sd && sd > 0 ? 1.0 / sd : 0.0),
            _ => (0.0, 1.0),
        };
        return new NumericFeature
        {
            Name = s.Name, Source = s.Name, SourceIndex = s.Index,
            Impute = impute, ImputeValue = imputeValue, Scale = kind, Offset = offset, Factor = factor,
            Bins = bins > 0 ? Edges(s, bins, offset, factor) : null,
            Min = double.IsFinite(s.Min) ? s.Min : null, Max = double.IsFinite(s.Max) ? s.Max : null,
        };
    }

    /// <summary>Quantile levels the bin edges are chosen from.</summary>
    private const int FineLevels = 256;

    /// <summary>At most <paramref name="bins"/> + 1 quantile edges, scaled like the values; null when fewer than 2 bins remain.</summary>
    private static double[]? Edges(ColumnStats s, int bins, double offset, double factor)
    {
        if (factor == 0 || !(s.Max > s.Min)) return null;
        // Quantiles at a fine grid first, repeats merged, then at most bins + 1 of them taken evenly: a column that
        // is 92 % zeros (capital-gain) still gets its bins in the 8 % where its values differ, where plain
        // quantiles at 1/16 … 15/16 would all be 0 and leave it one bin.
        var levels = Enumerable.Range(1, FineLevels - 1).Select(i => (double)i / FineLevels).ToArray();
        var inner = s.Quantiles.Quantiles(levels) ?? [];
        var distinct = new List<double>();
        foreach (var raw in inner.Prepend(s.Min).Append(s.Max))
        {
            double e = (Math.Clamp(raw, s.Min, s.Max) - offset) * factor;
            // float32 is what the network computes in: edges closer than its resolution would make an empty bin.
            if (distinct.Count == 0 || (float)e > (float)distinct[^1]) distinct.Add(e);
        }
        if (distinct.Count < 3) return null;
        if (distinct.Count <= bins + 1) return distinct.ToArray();
        var edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) edges[i] = distinct[(int)Math.Round((double)i * (distinct.Count - 1) / bins)];
        return edges;
    }

    public override FeatureOutcome Encode(ReadOnlySpan<byte> value, bool missing, ExampleEncoder encoder, ExampleKey key, ref float[] scratch)
    {
        double x;
        if (missing) x = ImputeValue;
        else if (!NumberParser.TryParse(value, out x))   // what double.TryParse accepts, finite; integers inline
            return FeatureOutcome.NotANumber;
        encoder.AddFloat(key, (float)((x - Offset) * Factor));
        return missing || !(x < Min || x > Max) ? FeatureOutcome.Encoded : FeatureOutcome.OutOfRange;
    }

    internal override FeatureDocument ToDocument() => new()
    {
        Name = Name, Source = Source, SourceIndex = SourceIndex, Type = FeatureDocument.Numeric,
        Impute = Impute, ImputeValue = ImputeValue, Scale = Scale, Offset = Offset, Factor = Factor, Bins = Bins?.ToList(), Min = Min, Max = Max,
    };
}
