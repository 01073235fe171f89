using System.Text;
using Streaming.Core;

namespace Streaming.Transform;

/// <summary>
/// Value → index for a vocabulary or a label's classes, looked up by UTF-8 span (no string per row). Built once per
/// plan feature and only read after, so one lookup serves every thread transforming rows with the plan.
/// </summary>
/// <remarks>
/// A lookup per categorical field of every row is the transform's most frequent operation. Values of up to 16 bytes
/// (nearly every category: codes, IDs, buckets like "26-35") sit in an open-addressed table as two words and a length,
/// found with one multiplicative hash and two word compares; longer values go to a dictionary.
/// </remarks>
public sealed class VocabularyLookup
{
    private struct Slot
    {
        public ulong Lo, Hi;
        public int Length;   // the value's length + 1; 0: empty
        public int Index;
    }

    private readonly Slot[] _short;
    private readonly int _shift;
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _long;

    /// <param name="aliases">Other spellings: FROM → a value of <paramref name="values"/>.</param>
    public VocabularyLookup(IReadOnlyList<string> values, IReadOnlyDictionary<string, string>? aliases = null)
    {
        var entries = new List<(byte[] Value, int Index)>();
        for (int i = 0; i < values.Count; i++) entries.Add((Encoding.UTF8.GetBytes(values[i]), i));
        if (aliases is { Count: > 0 })
        {
            var list = values as IList<string> ?? [.. values];
            foreach (var (from, to) in aliases) entries.Add((Encoding.UTF8.GetBytes(from), list.IndexOf(to)));
        }
        // At most half full: a miss (a value outside the vocabulary) ends at an empty slot after a probe or two.
        int bits = Math.Max(4, 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)entries.Count * 2));
        _short = new Slot[1 << bits];
        _shift = 64 - bits;
        var longer = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        foreach (var (value, index) in entries)   // the first spelling of a value wins, as in a dictionary's TryAdd
        {
            if (value.Length > 16) { longer.TryAdd(value, index); continue; }
            ref var slot = ref Find(value);
            if (slot.Length == 0)
            {
                (slot.Lo, slot.Hi) = Bytes.TwoWords(value);
                (slot.Length, slot.Index) = (value.Length + 1, index);
            }
        }
        _long = longer.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public bool TryGetIndex(ReadOnlySpan<byte> value, out int index)
    {
        if (value.Length > 16) return _long.TryGetValue(value, out index);
        ref var slot = ref Find(value);
        index = slot.Index;
        return slot.Length != 0;
    }

    /// <summary>The slot holding <paramref name="value"/> (≤ 16 bytes), else the empty slot where it would go.</summary>
    private ref Slot Find(ReadOnlySpan<byte> value)
    {
        var (lo, hi) = Bytes.TwoWords(value);
        int length = value.Length + 1;
        var table = _short;
        int mask = table.Length - 1;
        // Fibonacci hashing of the mixed words: the top bits pick the slot, so similar codes ("P00069042",
        // "P00069043") spread out.
        int i = (int)(((lo ^ (hi * 0x9E3779B97F4A7C15) ^ (ulong)length) * 0xBF58476D1CE4E5B9) >> _shift);
        while (true)
        {
            ref var slot = ref table[i];
            if (slot.Length == 0 || (slot.Length == length && slot.Lo == lo && slot.Hi == hi)) return ref slot;
            i = (i + 1) & mask;
        }
    }
}
