namespace Streaming.Stats;

/// <summary>
/// Everything known about one column: the mergeable state behind the statistics artifact. <see cref="Add"/> is the
/// per-value hot path (no allocation for a value already seen); <see cref="Merge"/> combines partials from any
/// number of tasks in any order and grouping. Memory is bounded whatever the row count: the frequency table holds at
/// most <see cref="FrequentValues.Capacity"/> values of ≤ <see cref="FrequentValues.MaxValueBytes"/> bytes, the
/// quantile sketch ~3k doubles, the distinct sketch 16 KiB.
/// </summary>
public sealed class ColumnStats
{
    public static readonly double[] QuantileLevels = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];

    public ColumnStats(string name, int index, bool forcedCategorical = false, int topCapacity = FrequentValues.DefaultCapacity)
    {
        Name = name;
        Index = index;
        ForcedCategorical = forcedCategorical;
        Top = new FrequentValues(topCapacity);
    }

    public string Name { get; }
    public int Index { get; }
    public bool ForcedCategorical { get; private set; }

    /// <summary>Non-missing values.</summary>
    public long Count { get; internal set; }
    public long Missing { get; internal set; }
    /// <summary>Non-missing values that do not parse as a finite invariant-culture number.</summary>
    public long NonNumeric { get; internal set; }

    // Moments of the values that parsed as numbers (Welford; merged with Chan et al.'s parallel formula).
    public long NumericCount { get; internal set; }
    public double Mean { get; internal set; }
    public double M2 { get; internal set; }
    public double Min { get; internal set; } = double.PositiveInfinity;
    public double Max { get; internal set; } = double.NegativeInfinity;

    public KllSketch Quantiles { get; internal set; } = new();
    public HyperLogLog Distinct { get; internal set; } = new();
    public FrequentValues Top { get; internal set; }

    public bool IsNumeric => !ForcedCategorical && NonNumeric == 0 && NumericCount > 0;
    public string Kind => IsNumeric ? "numeric" : "categorical";

    /// <summary>Sample standard deviation (ddof = 1, as pandas); null below two values.</summary>
    public double? Std => NumericCount > 1 ? Math.Sqrt(M2 / (NumericCount - 1)) : null;

    public long DistinctCount => Top.Truncated ? (long)Math.Round(Distinct.Estimate()) : Top.Count;
    public bool DistinctExact => !Top.Truncated;

    // While the frequency table is exact it *is* the distinct set, so the HyperLogLog is only filled (from the
    // table, then per value) once the table is about to overflow: no second hash per value on the common path.
    private bool _distinctComplete;

    internal void EnsureDistinct()
    {
        if (_distinctComplete) return;
        foreach (var key in Top.Keys) Distinct.AddHash(FrequentValues.HashOf(key));
        _distinctComplete = true;
    }

    internal void MarkDistinctComplete() => _distinctComplete = true;

    public void AddMissing() => Missing++;

    public void Add(ReadOnlySpan<byte> value)
    {
        Count++;
        if (!_distinctComplete && (Top.Count >= Top.Capacity || value.Length > FrequentValues.MaxValueBytes)) EnsureDistinct();
        ulong hash = FrequentValues.HashOf(value);
        if (_distinctComplete) Distinct.AddHash(hash);
        Top.Add(value, hash);
        if (!NumberParser.TryParse(value, out double x)) NonNumeric++;
        // Moments and quantiles only matter while the column can still be numeric: a forced-categorical column or
        // one that has shown a non-number is categorical after any merge, so it skips the quantile sketch.
        else if (!ForcedCategorical && NonNumeric == 0) AddNumber(x);
    }

    private void AddNumber(double x)
    {
        NumericCount++;
        double delta = x - Mean;
        Mean += delta / NumericCount;
        M2 += delta * (x - Mean);
        if (x < Min) Min = x;
        if (x > Max) Max = x;
        Quantiles.Add(x);
    }

    public void Merge(ColumnStats other)
    {
        if (other.Name != Name)
            throw new InvalidOperationException($"cannot merge statistics of column '{other.Name}' into '{Name}'");
        Count += other.Count;
        Missing += other.Missing;
        NonNumeric += other.NonNumeric;
        ForcedCategorical |= other.ForcedCategorical;
        if (other.NumericCount > 0)
        {
            long n = NumericCount + other.NumericCount;
            double delta = other.Mean - Mean;
            Mean += delta * other.NumericCount / n;
            M2 += other.M2 + delta * delta * NumericCount / n * other.NumericCount;
            NumericCount = n;
            Min = Math.Min(Min, other.Min);
            Max = Math.Max(Max, other.Max);
            Quantiles.Merge(other.Quantiles);
        }
        EnsureDistinct();
        other.EnsureDistinct();
        Distinct.Merge(other.Distinct);
        Top.Merge(other.Top);
    }
}
