using System.Runtime.InteropServices;
using System.Text;

namespace Streaming.Stats;

/// <summary>
/// Value → count table. Exact while it holds at most <see cref="Capacity"/> distinct values; past that it becomes a
/// Misra–Gries heavy-hitters summary (counts are lower bounds, each off by at most <see cref="ErrorBound"/> ≤ n/capacity)
/// and <see cref="Truncated"/> is set. Merge follows Agarwal et al., "Mergeable summaries" (2012). Keys are the
/// values' UTF-8 bytes, looked up by span, so counting an already-seen value allocates nothing.
/// </summary>
public sealed class FrequentValues
{
    public const int DefaultCapacity = 10_000;
    /// <summary>Values longer than this are counted in the distinct sketch but never kept as vocabulary.</summary>
    public const int MaxValueBytes = 256;

    private Dictionary<byte[], long> _counts = new(ByteArrayComparer.Instance);
    private Dictionary<byte[], long>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public FrequentValues(int capacity = DefaultCapacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
        Capacity = capacity;
        _lookup = _counts.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Capacity { get; }
    public bool Truncated { get; private set; }
    public long ErrorBound { get; private set; }
    public int Count => _counts.Count;

    public void Add(ReadOnlySpan<byte> value, long count = 1)
    {
        if (value.Length > MaxValueBytes) { Truncated = true; return; }
        ref long slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, value, out bool exists);
        slot += count;
        if (!exists && _counts.Count > Capacity) Shrink();
    }

    /// <summary>Misra–Gries decrement: subtract the (capacity+1)-th largest count from all and drop non-positive.</summary>
    private void Shrink()
    {
        Truncated = true;
        var counts = _counts.Values.ToArray();
        Array.Sort(counts);
        Array.Reverse(counts);
        long cut = counts[Math.Min(Capacity, counts.Length - 1)];
        ErrorBound += cut;
        var next = new Dictionary<byte[], long>(ByteArrayComparer.Instance);
        foreach (var (k, v) in _counts)
            if (v - cut > 0) next[k] = v - cut;
        _counts = next;
        _lookup = _counts.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public void Merge(FrequentValues other)
    {
        foreach (var (k, v) in other._counts)
        {
            ref long slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, k, out _);
            slot += v;
        }
        Truncated |= other.Truncated;
        ErrorBound += other.ErrorBound;
        if (_counts.Count > Capacity) Shrink();
    }

    /// <summary>Entries by count descending, then value bytes ascending (a deterministic order).</summary>
    public IEnumerable<(string Value, long Count)> Ordered() =>
        _counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, ByteArrayComparer.Instance)
            .Select(kv => (Encoding.UTF8.GetString(kv.Key), kv.Value));

    public void Restore(string value, long count) => Add(Encoding.UTF8.GetBytes(value), count);

    internal void RestoreFlags(bool truncated, long errorBound)
    {
        Truncated |= truncated;
        ErrorBound += errorBound;
    }
}

/// <summary>Ordinal byte-array equality and ordering, with span lookups.</summary>
public sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>, IComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();
    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
    public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);
    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
    public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)Hash64.Of(alternate);
    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
