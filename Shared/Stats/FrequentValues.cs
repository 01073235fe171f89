using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Streaming.Core;

namespace Streaming.Stats;

/// <summary>
/// Value → count table. Exact while it holds at most <see cref="Capacity"/> distinct values; past that it becomes a
/// Misra–Gries heavy-hitters summary (counts are lower bounds, each off by at most <see cref="ErrorBound"/> ≤ n/(capacity+1))
/// and <see cref="Truncated"/> is set. Merge follows Agarwal et al., "Mergeable summaries" (2012). The table keeps up
/// to 1.5×capacity entries before a decrement, which subtracts the (capacity+1)-th largest count and so brings it
/// back to at most capacity: a high-cardinality stream pays one linear-time selection per capacity/2 new values, and
/// at least capacity+1 entries lose each cut, which gives the n/(capacity+1) bound. What leaves the table
/// (<see cref="Ordered"/>) is always compacted to at most capacity entries.
/// <para>
/// Layout, for the hot path (a value already seen): an open-addressing table of 16-byte (tag, count) slots, the
/// only memory a probe touches. A value of up to 7 bytes (nearly every value of a real CSV column) is its own tag —
/// its bytes and length packed in one word — so a probe compares one word and never the bytes; longer values are
/// tagged by MurmurHash64A and compared with their bytes, kept in an arena.
/// </para>
/// </summary>
public sealed class FrequentValues
{
    public const int DefaultCapacity = 10_000;
    /// <summary>Values longer than this are counted in the distinct sketch but never kept as vocabulary.</summary>
    public const int MaxValueBytes = 256;
    private const int ShortKeyBytes = 7;

    private struct Slot
    {
        public ulong Tag;     // 0: empty
        public long Count;
    }

    private struct Location
    {
        public int Offset;
        public int Length;
    }

    private Slot[] _slots = [];
    private Location[] _locations = [];
    private int _mask;
    private int _shift;
    private byte[] _arena = new byte[4096];
    private int _arenaUsed;
    // Scratch of a decrement, kept so a high-cardinality column does not allocate per decrement.
    private long[] _counts = [];
    private Slot[] _spareSlots = [];
    private Location[] _spareLocations = [];
    private byte[] _spareArena = [];

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

    /// <summary>Changes whenever entries move (growth, decrement, removal): a slot index from <see cref="AddHashed"/>
    /// stays valid for <see cref="IncrementAt"/> while this is unchanged.</summary>
    public int Generation { get; private set; }

    private int Slack => Capacity + Math.Max(1, Capacity / 2);

    private void Allocate(int slots)
    {
        _slots = new Slot[slots];
        _locations = new Location[slots];
        _mask = slots - 1;
        _shift = 64 - BitOperations.Log2((uint)slots);
    }

    /// <summary>
    /// A value's tag (never 0). Up to 7 bytes: the bytes little-endian with length+1 in the top byte, which is
    /// injective, so equal tags mean equal values. Longer: a MurmurHash64A with the top byte cleared (so it can never
    /// equal a short value's tag).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong TagOf(ReadOnlySpan<byte> value) =>
        value.Length <= ShortKeyBytes
            ? Bytes.LittleEndian(value) | ((ulong)(value.Length + 1) << 56)
            : LongTag(Hash64.Of(value));

    private static ulong LongTag(ulong hash64) => (hash64 & 0x00FF_FFFF_FFFF_FFFF) | 1;

    private static bool IsShort(ulong tag) => tag >> 56 != 0;

    // Fibonacci hashing: one multiply spreads a tag (raw bytes for short values) over the index's high bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(ulong tag) => (int)((tag * 0x9E3779B97F4A7C15) >> _shift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ReadOnlySpan<byte> value, long count = 1)
    {
        if (value.Length > MaxValueBytes) { Truncated = true; return; }
        Add(value, TagOf(value), count);
    }

    /// <summary>
    /// Adds a value whose <see cref="Hash64.Of(ReadOnlySpan{byte}, ulong)"/> the caller has computed anyway. Returns
    /// the value's slot (for <see cref="IncrementAt"/> while <see cref="Generation"/> holds), or -1 when it is not held.
    /// </summary>
    public int AddHashed(ReadOnlySpan<byte> value, ulong hash64)
    {
        if (value.Length > MaxValueBytes) { Truncated = true; return -1; }
        return Add(value, value.Length <= ShortKeyBytes ? TagOf(value) : LongTag(hash64), 1);
    }

    /// <summary>One more of the value in <paramref name="slot"/> (from <see cref="AddHashed"/>, same generation).</summary>
    public void IncrementAt(int slot) => _slots[slot].Count++;

    private int Add(ReadOnlySpan<byte> value, ulong tag, long count)
    {
        int i = Find(tag, value);
        if (_slots[i].Tag != 0)
        {
            _slots[i].Count += count;
            return i;
        }
        int generation = Generation;
        Insert(i, value, tag, count);
        if (Count > Capacity) Overflow();
        return Generation == generation ? i : -1;
    }

    /// <summary>The slot holding the value, or the empty slot where it belongs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Find(ulong tag, ReadOnlySpan<byte> value)
    {
        var slots = _slots;
        int i = Home(tag);
        while (true)
        {
            ulong t = slots[i].Tag;
            if (t == 0) return i;
            if (t == tag && (IsShort(tag) || _arena.AsSpan(_locations[i].Offset, _locations[i].Length).SequenceEqual(value))) return i;
            i = (i + 1) & _mask;
        }
    }

    private void Overflow()
    {
        Truncated = true;
        if (Count > Slack) Shrink();
    }

    /// <summary>Brings the table down to at most <see cref="Capacity"/> entries (a Misra–Gries decrement).</summary>
    public void Compact()
    {
        if (Count > Capacity) Shrink();
    }

    private void Insert(int slot, ReadOnlySpan<byte> value, ulong tag, long count)
    {
        if (_arenaUsed + value.Length > _arena.Length)
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + value.Length));
        value.CopyTo(_arena.AsSpan(_arenaUsed));
        _slots[slot] = new Slot { Tag = tag, Count = count };
        _locations[slot] = new Location { Offset = _arenaUsed, Length = value.Length };
        _arenaUsed += value.Length;
        Count++;
        // Small tables (the usual categorical column) are kept sparse, so a probe rarely takes a second step and the
        // branch predicts; large ones (IDs) at most half full, to stay small in cache.
        if (Count * (_slots.Length <= 4096 ? 4 : 2) > _slots.Length) Rebuild(_slots.Length * 2, 0);
    }

    /// <summary>
    /// Re-inserts every entry whose count exceeds <paramref name="cut"/> (minus cut): into a table of
    /// <paramref name="slots"/> when growing (cut 0, keys stay where they are in the arena), or, for a decrement, into
    /// the spare table and arena of the same size (survivors' keys packed), which then swap with the live ones.
    /// </summary>
    private void Rebuild(int slots, long cut)
    {
        Generation++;
        var (old, oldLocations, arena) = (_slots, _locations, _arena);
        if (cut == 0) Allocate(slots);
        else
        {
            if (_spareSlots.Length != old.Length)
            {
                _spareSlots = new Slot[old.Length];
                _spareLocations = new Location[old.Length];
            }
            else Array.Clear(_spareSlots);
            if (_spareArena.Length < _arenaUsed) _spareArena = new byte[_arena.Length];
            (_slots, _spareSlots) = (_spareSlots, old);
            (_locations, _spareLocations) = (_spareLocations, oldLocations);
            (_arena, _spareArena) = (_spareArena, arena);
        }
        int used = cut == 0 ? _arenaUsed : 0;
        Count = 0;
        for (int k = 0; k < old.Length; k++)
        {
            var e = old[k];
            if (e.Tag == 0 || e.Count <= cut) continue;
            int j = Home(e.Tag);
            while (_slots[j].Tag != 0) j = (j + 1) & _mask;
            var at = oldLocations[k];
            if (cut != 0)
            {
                arena.AsSpan(at.Offset, at.Length).CopyTo(_arena.AsSpan(used));
                at.Offset = used;
                used += at.Length;
            }
            _slots[j] = new Slot { Tag = e.Tag, Count = e.Count - cut };
            _locations[j] = at;
            Count++;
        }
        _arenaUsed = used;
    }

    /// <summary>
    /// Misra–Gries decrement: subtract the (capacity+1)-th largest count from every entry and drop the non-positive.
    /// At least capacity+1 entries lose the cut each time, so the cuts add up to at most n/(capacity+1).
    /// </summary>
    private void Shrink()
    {
        Truncated = true;
        if (_counts.Length < Count) _counts = new long[Count];
        int n = 0;
        foreach (ref readonly var e in _slots.AsSpan()) if (e.Tag != 0) _counts[n++] = e.Count;
        long cut = Selection.KthLargest(_counts.AsSpan(0, n), Capacity + 1);
        ErrorBound += cut;
        Rebuild(_slots.Length, cut);
    }

    public void Merge(FrequentValues other)
    {
        for (int k = 0; k < other._slots.Length; k++)
        {
            var e = other._slots[k];
            if (e.Tag == 0) continue;
            var at = other._locations[k];
            var value = other._arena.AsSpan(at.Offset, at.Length);
            // No capacity check per value: a merge shrinks once, at the end.
            int i = Find(e.Tag, value);
            if (_slots[i].Tag != 0) _slots[i].Count += e.Count;
            else Insert(i, value, e.Tag, e.Count);
        }
        Truncated |= other.Truncated;
        ErrorBound += other.ErrorBound;
        if (Count > Capacity) Overflow();
    }

    public delegate bool KeyPredicate(ReadOnlySpan<byte> key);

    /// <summary>Removes the entries whose value matches; returns the sum of their counts.</summary>
    public long RemoveWhere(KeyPredicate match)
    {
        long removed = 0;
        for (int i = 0; i < _slots.Length; i++)
        {
            if (_slots[i].Tag == 0 || !match(_arena.AsSpan(_locations[i].Offset, _locations[i].Length))) continue;
            removed += _slots[i].Count;
            _slots[i].Tag = 0;
        }
        // Emptied slots break probe chains: re-insert the rest.
        if (removed > 0) Rebuild(_slots.Length, 0);
        return removed;
    }

    /// <summary>Every entry with its count, in table order (not compacted).</summary>
    public IEnumerable<(byte[] Key, long Count)> Entries()
    {
        for (int i = 0; i < _slots.Length; i++)
            if (_slots[i].Tag != 0) yield return (_arena.AsSpan(_locations[i].Offset, _locations[i].Length).ToArray(), _slots[i].Count);
    }

    public IEnumerable<byte[]> Keys => Entries().Select(e => e.Key);

    /// <summary>Entries by count descending, then value bytes ascending (a deterministic order), at most capacity.</summary>
    public IEnumerable<(string Value, long Count)> Ordered()
    {
        Compact();
        var entries = Entries().ToList();
        entries.Sort((a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : a.Key.AsSpan().SequenceCompareTo(b.Key));
        return entries.Select(e => (Encoding.UTF8.GetString(e.Key), e.Count));
    }

    /// <summary>A table as a partial recorded it: its entries, and whether (and by how much) it had overflowed.</summary>
    public static FrequentValues FromEntries(int capacity, IEnumerable<(byte[] Value, long Count)> entries, bool truncated, long errorBound)
    {
        var table = new FrequentValues(capacity);
        foreach (var (value, count) in entries) table.Add(value, count);
        table.Truncated |= truncated;
        table.ErrorBound += errorBound;
        return table;
    }
}
