using Streaming.Core;

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

    /// <param name="missingTokens">When given, <see cref="Add"/> counts a value equal to one of its missing tokens as
    /// missing, so the caller need not test every value (a deferred column tests each distinct value once).</param>
    public ColumnStats(string name, int index, bool forcedCategorical = false, int topCapacity = FrequentValues.DefaultCapacity,
        MissingValues? missingTokens = null)
    {
        _missingTokens = missingTokens;
        Name = name;
        Index = index;
        ForcedCategorical = forcedCategorical;
        _top = new FrequentValues(topCapacity);
    }

    public string Name { get; }
    public int Index { get; }
    public bool ForcedCategorical { get; private set; }

    private readonly MissingValues? _missingTokens;

    // Statistics are read from a completed column (see Complete): reading never changes the state.
    private ColumnStats Completed => _deferred
        ? throw new InvalidOperationException($"column '{Name}': statistics read before Complete() folded the deferred values in")
        : this;

    /// <summary>Non-missing values.</summary>
    public long Count => Completed._count;
    public long Missing => Completed._missing;
    /// <summary>Non-missing values that do not parse as a finite invariant-culture number.</summary>
    public long NonNumeric => Completed._nonNumeric;

    // Moments of the values that parsed as numbers, from exact sums: the same bytes in any order (see Moments).
    public Moments Moments => Completed._moments;
    public long NumericCount => Moments.Count;
    /// <summary>The correctly rounded mean of the numbers; NaN when there are none.</summary>
    public double Mean => Moments.Mean ?? double.NaN;
    public double Min => Completed._min;
    public double Max => Completed._max;

    private long _count, _missing, _nonNumeric;
    private Moments _moments = new();
    private double _min = double.PositiveInfinity, _max = double.NegativeInfinity;
    private KllSketch _quantiles = new();

    public KllSketch Quantiles => Completed._quantiles;
    public HyperLogLog Distinct { get; private set; } = new();
    public FrequentValues Top => Completed._top;
    private FrequentValues _top;

    public bool IsNumeric => !ForcedCategorical && NonNumeric == 0 && NumericCount > 0;
    public string Kind => IsNumeric ? "numeric" : "categorical";

    /// <summary>Sample standard deviation (ddof = 1, as pandas), correctly rounded; null below two values.</summary>
    public double? Std => Moments.Std;

    public long DistinctCount => Top.Truncated ? (long)Math.Round(Distinct.Estimate()) : Top.Count;
    public bool DistinctExact => !Top.Truncated;

    // While the frequency table is exact it *is* the distinct set, so the HyperLogLog is only filled (from the
    // table, then per value) once the table is about to overflow: no second hash per value on the common path.
    private bool _distinctComplete;

    internal void EnsureDistinct()
    {
        if (_distinctComplete) return;
        foreach (var key in _top.Keys) Distinct.AddHash(DistinctHash(Hash64.Of(key)));
        _distinctComplete = true;
    }

    // The distinct sketch's hash is persisted (partials carry the HLL registers): it must never change.
    private static ulong DistinctHash(ulong hash64) => hash64 | 1;

    public void AddMissing() => _missing++;

    // While the frequency table is exact it holds every value with its count, so the numeric side (parse, moments,
    // quantile sketch) is deferred: a value costs one hash and one probe, and each distinct value is parsed once, with
    // its count as weight, when the table fills up or a statistic is read (Fold). Most columns of real data never
    // fill the table.
    private bool _deferred = true;

    /// <summary>The statistics of a partial as it recorded them: complete (no deferred values).</summary>
    public static ColumnStats FromState(ColumnState state)
    {
        var s = new ColumnStats(state.Name, state.Index, state.ForcedCategorical, state.Top.Capacity)
        {
            _count = state.Count, _missing = state.Missing, _nonNumeric = state.NonNumeric,
            _moments = state.Moments, _min = state.Min, _max = state.Max, _quantiles = state.Quantiles, _top = state.Top,
            _deferred = false,
        };
        // A truncated table's distinct values live in the recorded sketch; an exact table rebuilds it when needed.
        if (state.Distinct is { } hll) (s.Distinct, s._distinctComplete) = (hll, true);
        return s;
    }

    /// <summary>
    /// Folds the deferred values in, so the statistics can be read (a map task calls it once, before it writes its
    /// partial). <see cref="Add"/> may go on after it, without deferring.
    /// </summary>
    public ColumnStats Complete()
    {
        if (_deferred) Fold();
        return this;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Add(ReadOnlySpan<byte> value)
    {
        if (_deferred && _top.Count < _top.Capacity && value.Length <= FrequentValues.MaxValueBytes)
        {
            _count++;
            _top.Add(value);
        }
        else AddUncommon(value);
    }

    private void AddUncommon(ReadOnlySpan<byte> value)
    {
        if (_deferred) Fold();
        if (_last.Repeats(value))
        {
            RepeatLast();
            return;
        }
        if (_missingTokens is not null && _missingTokens.IsMissing(value))
        {
            _missing++;
            _last.Remember(value, LastValue.Missing, 0, 0, -1, 0);
            return;
        }
        _count++;
        if (!_distinctComplete && (_top.Count >= _top.Capacity || value.Length > FrequentValues.MaxValueBytes)) EnsureDistinct();
        ulong hash = Hash64.Of(value);
        if (_distinctComplete) Distinct.AddHash(DistinctHash(hash));
        int slot = _top.AddHashed(value, hash);
        byte kind;
        if (!NumberParser.TryParse(value, out double x)) { _nonNumeric++; kind = LastValue.Text; }
        else
        {
            kind = LastValue.Numeric;
            // Moments and quantiles only matter while the column can still be numeric: a forced-categorical column
            // or one that has shown a non-number is categorical after any merge, so it skips the quantile sketch.
            if (!ForcedCategorical && _nonNumeric == 0) AddNumber(x, 1);
        }
        _last.Remember(value, kind, x, hash, slot, _top.Generation);
    }

    // Rows often come grouped (an ID column of a file sorted by user repeats its value for many rows): a value equal
    // to the previous one skips the missing test, the hash, the distinct sketch (idempotent), the probe and the parse.
    private LastValue _last = LastValue.None;

    private void RepeatLast()
    {
        if (_last.Kind == LastValue.Missing) { _missing++; return; }
        _count++;
        if (_last.Slot >= 0 && _last.Generation == _top.Generation) _top.IncrementAt(_last.Slot);
        else _last.Relocated(_top.AddHashed(_last.Bytes(stackalloc byte[LastValue.MaxBytes]), _last.Hash), _top.Generation);
        if (_last.Kind == LastValue.Text) _nonNumeric++;
        else if (!ForcedCategorical && _nonNumeric == 0) AddNumber(_last.Number, 1);
    }

    /// <summary>Folds the deferred values (the exact table's entries, weighted by their counts) into the numeric state.</summary>
    private void Fold()
    {
        _deferred = false;
        if (_missingTokens is not null)
        {
            // Missing tokens went into the table like any value; they leave it as missing counts.
            long moved = _top.RemoveWhere(_missingTokens.IsMissing);
            _count -= moved;
            _missing += moved;
        }
        // Each distinct value parsed once; the numbers are added only if the column turned out all-numeric.
        var numbers = new List<(double X, long Count)>();
        foreach (var (key, count) in _top.Entries())
            if (NumberParser.TryParse(key, out double x)) numbers.Add((x, count));
            else _nonNumeric += count;
        if (ForcedCategorical || _nonNumeric > 0) return;
        foreach (var (x, count) in numbers) AddNumber(x, count);
    }

    private void AddNumber(double x, long weight)
    {
        _moments.Add(x, weight);
        if (x < _min) _min = x;
        if (x > _max) _max = x;
        _quantiles.Add(x, weight);
    }

    public void Merge(ColumnStats other)
    {
        Complete();
        other.Complete();
        if (other.Name != Name)
            throw new InvalidOperationException($"cannot merge statistics of column '{other.Name}' into '{Name}'");
        _count += other.Count;
        _missing += other.Missing;
        _nonNumeric += other.NonNumeric;
        ForcedCategorical |= other.ForcedCategorical;
        if (other.NumericCount > 0)
        {
            _moments.Merge(other.Moments);
            _min = Math.Min(_min, other.Min);
            _max = Math.Max(_max, other.Max);
            _quantiles.Merge(other.Quantiles);
        }
        EnsureDistinct();
        other.EnsureDistinct();
        Distinct.Merge(other.Distinct);
        _top.Merge(other.Top);
    }
}

/// <summary>What a partial records of a column (the <c>state</c> of its JSON line, with the counts beside it).</summary>
public sealed record ColumnState(string Name, int Index, bool ForcedCategorical, long Count, long Missing, long NonNumeric,
    Moments Moments, double Min, double Max, KllSketch Quantiles, FrequentValues Top, HyperLogLog? Distinct);
