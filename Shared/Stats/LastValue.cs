using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Streaming.Core;

namespace Streaming.Stats;

/// <summary>
/// The previous value a <see cref="ColumnStats"/> saw (up to 16 bytes, held in two words) and what it was: missing,
/// text or a number, its hash, and where the frequency table keeps it. Comparing a value with it costs two word compares.
/// </summary>
internal struct LastValue
{
    public const int MaxBytes = 16;
    public const byte Missing = 1, Text = 2, Numeric = 3;
    public static LastValue None => new() { _length = -1 };

    private ulong _lo, _hi;
    private int _length;
    public byte Kind;
    public double Number;
    public ulong Hash;
    public int Slot;
    public int Generation;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly bool Repeats(ReadOnlySpan<byte> value)
    {
        if (value.Length != _length) return false;
        var (lo, hi) = Core.Bytes.TwoWords(value);
        return lo == _lo && hi == _hi;
    }

    public void Remember(ReadOnlySpan<byte> value, byte kind, double number, ulong hash64, int slot, int generation)
    {
        if (value.Length > MaxBytes) { _length = -1; return; }
        (_lo, _hi) = Core.Bytes.TwoWords(value);
        _length = value.Length;
        (Kind, Number, Hash, Slot, Generation) = (kind, number, hash64, slot, generation);
    }

    public void Relocated(int slot, int generation) => (Slot, Generation) = (slot, generation);

    /// <summary>The value's bytes, written into <paramref name="into"/> (≥ <see cref="MaxBytes"/> long).</summary>
    public readonly ReadOnlySpan<byte> Bytes(Span<byte> into)
    {
        MemoryMarshal.Write(into, _lo);
        MemoryMarshal.Write(into[8..], _hi);
        return into[.._length];
    }
}
