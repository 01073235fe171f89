using System.Numerics;
using System.Text;

namespace Streaming.Stats;

/// <summary>
/// Value → count table. Exact while it holds at most <see cref="Capacity"/> distinct values; past that it becomes a
/// Misra–Gries heavy-hitters summary (counts are lower bounds, each off by at most <see cref="ErrorBound"/> ≤ 2n/capacity)
/// and <see cref="Truncated"/> is set. Merge follows Agarwal et al., "Mergeable summaries" (2012). Each decrement
/// subtracts the (capacity/2+1)-th largest count, freeing at least half the table, so a stream of new values costs
/// O(log capacity) amortized instead of a sort per value; the price is a bound of 2n/capacity instead of n/capacity.
/// The hot path (counting a value already seen) allocates nothing: an open-addressing table of (hash, key slice,
/// count) with the keys' bytes in one arena, probed with the value's span.
/// </summary>
public sealed class FrequentValues
{
    public const int DefaultCapacity = 10_000;
    /// <summary>Values longer than this are counted in the distinct sketch but never kept as vocabulary.</summary>
    public const int MaxValueBytes = 256;

    // One struct per slot so a probe touches one cache line. Hash 0 marks an empty slot.
    private struct Entry
    {
        public ulong Hash;
        public long Count;
        public int Offset;
        public int Length;
    }

    private Entry[] _slots = [];
    private int _mask;
    private byte[] _arena = new byte[4096];
    private int _arenaUsed;

    public FrequentValues(int capacity = DefaultCapacity)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
        Capacity = capacity;
        Allocate(16);
    }

    public int Capacity { get; }
    public bool Truncated { get; private set; }
    public long ErrorBound { get; private set; }
    public int Count { get; private set; }

    private void Allocate(int slots)
    {
        _slots = new Entry[slots];
        _mask = slots - 1;
    }

    /// <summary>The table's hash of a value (never 0).</summary>
    public static ulong HashOf(ReadOnlySpan<byte> value) => Hash64.Of(value) | 1;

    public void Add(ReadOnlySpan<byte> value, long count = 1) => Add(value, HashOf(value), count);

    /// <summary>Adds with a precomputed <see cref="HashOf"/> (the caller may need the hash too).</summary>
    public void Add(ReadOnlySpan<byte> value, ulong hash, long count = 1)
    {
        if (value.Length > MaxValueBytes) { Truncated = true; return; }
        var slots = _slots;
        int i = (int)hash & _mask;
        while (true)
        {
            ref var e = ref slots[i];
            if (e.Hash == 0) break;
            if (e.Hash == hash && _arena.AsSpan(e.Offset, e.Length).SequenceEqual(value))
            {
                e.Count += count;
                return;
            }
            i = (i + 1) & _mask;
        }
        Insert(i, value, hash, count);
        if (Count > Capacity) Shrink();
    }

    private void Insert(int slot, ReadOnlySpan<byte> value, ulong hash, long count)
    {
        if (_arenaUsed + value.Length > _arena.Length)
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + value.Length));
        value.CopyTo(_arena.AsSpan(_arenaUsed));
        _slots[slot] = new Entry { Hash = hash, Offset = _arenaUsed, Length = value.Length, Count = count };
        _arenaUsed += value.Length;
        Count++;
        if (Count * 2 > _slots.Length) Rebuild(_slots.Length * 2, 0);
    }

    /// <summary>Re-inserts every entry whose count exceeds <paramref name="cut"/> (minus cut) into a fresh table.</summary>
    private void Rebuild(int slots, long cut)
    {
        var (old, arena) = (_slots, _arena);
        int survivors = 0;
        foreach (ref readonly var e in old.AsSpan()) if (e.Hash != 0 && e.Count > cut) survivors++;
        while (slots > 16 && survivors * 4 < slots) slots /= 2;
        while (survivors * 2 > slots) slots *= 2;
        Allocate(slots);
        _arena = cut == 0 ? arena : new byte[Math.Max(4096, _arenaUsed)];
        int used = cut == 0 ? _arenaUsed : 0;
        Count = 0;
        foreach (ref readonly var e in old.AsSpan())
        {
            if (e.Hash == 0 || e.Count <= cut) continue;
            int j = (int)e.Hash & _mask;
            while (_slots[j].Hash != 0) j = (j + 1) & _mask;
            int offset = e.Offset;
            if (cut != 0)
            {
                arena.AsSpan(e.Offset, e.Length).CopyTo(_arena.AsSpan(used));
                offset = used;
                used += e.Length;
            }
            _slots[j] = new Entry { Hash = e.Hash, Offset = offset, Length = e.Length, Count = e.Count - cut };
            Count++;
        }
        _arenaUsed = used;
    }

    /// <summary>
    /// Misra–Gries decrement: subtract the (capacity/2+1)-th largest count from every entry and drop the non-positive.
    /// At least capacity/2+1 entries lose the cut each time, so the cuts add up to at most 2n/capacity.
    /// </summary>
    private void Shrink()
    {
        Truncated = true;
        var counts = new long[Count];
        int n = 0;
        foreach (ref readonly var e in _slots.AsSpan()) if (e.Hash != 0) counts[n++] = e.Count;
        Array.Sort(counts);
        long cut = counts[Math.Max(0, counts.Length - 1 - Capacity / 2)];
        ErrorBound += cut;
        Rebuild(_slots.Length, cut);
    }

    public void Merge(FrequentValues other)
    {
        foreach (ref readonly var e in other._slots.AsSpan())
            if (e.Hash != 0) AddUnchecked(other._arena.AsSpan(e.Offset, e.Length), e.Hash, e.Count);
        Truncated |= other.Truncated;
        ErrorBound += other.ErrorBound;
        if (Count > Capacity) Shrink();
    }

    // Add without the capacity check: a merge shrinks once, at the end.
    private void AddUnchecked(ReadOnlySpan<byte> value, ulong hash, long count)
    {
        int i = (int)hash & _mask;
        while (_slots[i].Hash != 0)
        {
            ref var e = ref _slots[i];
            if (e.Hash == hash && _arena.AsSpan(e.Offset, e.Length).SequenceEqual(value)) { e.Count += count; return; }
            i = (i + 1) & _mask;
        }
        Insert(i, value, hash, count);
    }

    public IEnumerable<byte[]> Keys
    {
        get
        {
            for (int i = 0; i < _slots.Length; i++)
                if (_slots[i].Hash != 0) yield return _arena.AsSpan(_slots[i].Offset, _slots[i].Length).ToArray();
        }
    }

    /// <summary>Entries by count descending, then value bytes ascending (a deterministic order).</summary>
    public IEnumerable<(string Value, long Count)> Ordered()
    {
        var entries = new List<(byte[] Key, long Count)>(Count);
        foreach (ref readonly var e in _slots.AsSpan())
            if (e.Hash != 0) entries.Add((_arena.AsSpan(e.Offset, e.Length).ToArray(), e.Count));
        entries.Sort((a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : a.Key.AsSpan().SequenceCompareTo(b.Key));
        return entries.Select(e => (Encoding.UTF8.GetString(e.Key), e.Count));
    }

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
