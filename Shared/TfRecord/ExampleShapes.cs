using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Streaming.Core;

namespace Streaming.TfRecord;

/// <summary>
/// The shapes of the last few records a shard reader decoded, so that the next record of the same shape is decoded
/// without walking its wire format. A writer emits every record of a shard with the same feature names in the same
/// order and the same framing; only the values differ, and with them only the byte lengths of varint values (a
/// vocabulary index below 128 takes one byte, a larger one two). A shape is a record that the full decoder accepted,
/// with a mask of the bytes that are values: a later record of the same length whose other bytes all equal the shape's
/// (a masked compare, a few vector instructions for ~300 bytes) has exactly the framing, names and value lengths of a
/// validated record, so its values can be read at the shape's offsets. Each value is still checked (a varint is exactly
/// its length, an index inside its vocabulary); anything else goes to the full decoder, which also words the errors.
/// <para>
/// Why: walking ~12 map entries (tag, length, name compare, value framing) cost ~0.5 µs a record, a third of the
/// input pipeline's CPU; the masked compare and the value reads cost a fraction of that.
/// </para>
/// </summary>
internal sealed class ExampleShapes
{
    private const int Capacity = 8;
    private readonly Shape?[] _shapes = new Shape?[Capacity];
    private int _next, _last;
    // Data whose shape keeps changing (many features with values of varying length) would pay for learning a shape a
    // record: after a window with mostly misses, learning pauses for a while.
    private int _window, _misses, _pausedFor;

    public enum SiteKind : byte { Floats, Index, FloatLabel, IntLabel }

    /// <summary>Where a value lies in the record and where it goes: a numeric offset, an index column, or the label.</summary>
    public readonly record struct Site(int Offset, int Width, SiteKind Kind, int Target, int Cardinality);

    public sealed class Shape(byte[] bytes, byte[] mask, Site[] sites)
    {
        public readonly byte[] Bytes = bytes, Mask = mask;
        public readonly Site[] Sites = sites;

        /// <summary>Whether every byte outside the values equals the shape's.</summary>
        public bool Matches(ReadOnlySpan<byte> record)
        {
            Debug.Assert(record.Length == Bytes.Length && Mask.Length == Bytes.Length);
            int n = record.Length;
            ref byte r = ref MemoryMarshal.GetReference(record);
            ref byte s = ref MemoryMarshal.GetArrayDataReference(Bytes);
            ref byte m = ref MemoryMarshal.GetArrayDataReference(Mask);
            if (n >= Vector128<byte>.Count)
            {
                // Whole vectors, then one more that overlaps the last: every byte is compared, none read past the end.
                var acc = Vector128<byte>.Zero;
                int last = n - Vector128<byte>.Count;
                for (int i = 0; i < last; i += Vector128<byte>.Count)
                    acc |= (Vector128.LoadUnsafe(ref r, (nuint)i) ^ Vector128.LoadUnsafe(ref s, (nuint)i)) & Vector128.LoadUnsafe(ref m, (nuint)i);
                acc |= (Vector128.LoadUnsafe(ref r, (nuint)last) ^ Vector128.LoadUnsafe(ref s, (nuint)last)) & Vector128.LoadUnsafe(ref m, (nuint)last);
                return acc == Vector128<byte>.Zero;
            }
            for (int i = 0; i < n; i++)
                if (((record[i] ^ Bytes[i]) & Mask[i]) != 0) return false;
            return true;
        }

        /// <summary>Reads the values at the shape's sites; false when one is not valid as it stands (then nothing is trusted).</summary>
        public bool TryRead(ReadOnlySpan<byte> record, Span<float> numeric, Span<int> indices, out float label)
        {
            label = 0;
            foreach (var site in Sites)
            {
                Debug.Assert(site.Offset + (site.Kind is SiteKind.Floats or SiteKind.FloatLabel ? 4 * site.Width : site.Width) <= record.Length);
                var v = record.Slice(site.Offset);
                switch (site.Kind)
                {
                    case SiteKind.Floats:
                        if (!BitConverter.IsLittleEndian) return false;
                        MemoryMarshal.Cast<byte, float>(v[..(4 * site.Width)]).CopyTo(numeric.Slice(site.Target, site.Width));
                        break;
                    case SiteKind.FloatLabel:
                        if (!BitConverter.IsLittleEndian) return false;
                        label = MemoryMarshal.Read<float>(v);
                        break;
                    case SiteKind.Index:
                        if (!TryVarint(v, site.Width, out ulong index) || index >= (ulong)site.Cardinality) return false;
                        indices[site.Target] = (int)index;
                        break;
                    default:
                        if (!TryVarint(v, site.Width, out ulong value)) return false;
                        label = (long)value;
                        break;
                }
            }
            return true;
        }

        /// <summary>A varint of exactly <paramref name="width"/> bytes: every byte but the last has its continuation bit.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool TryVarint(ReadOnlySpan<byte> v, int width, out ulong value)
        {
            value = 0;
            for (int i = 0, shift = 0; i < width; i++, shift += 7)
            {
                byte b = v[i];
                if ((b < 0x80) != (i == width - 1)) return false;
                value |= (ulong)(b & 0x7F) << shift;
            }
            return true;
        }
    }

    /// <summary>Decodes a record of a known shape; false when none matches (the caller decodes it in full).</summary>
    public bool TryDecode(ReadOnlySpan<byte> record, Span<float> numeric, Span<int> indices, out float label)
    {
        label = 0;
        for (int k = 0, i = _last; k < Capacity; k++, i = (i + 1) & (Capacity - 1))
        {
            var shape = _shapes[i];
            if (shape is null || shape.Bytes.Length != record.Length || !shape.Matches(record)) continue;
            if (!shape.TryRead(record, numeric, indices, out label)) break;
            _last = i;
            Count(hit: true);
            return true;
        }
        Count(hit: false);
        return false;
    }

    private void Count(bool hit)
    {
        if (!hit) _misses++;
        if (++_window < 4096) return;
        if (_pausedFor > 0) _pausedFor--;
        else if (_misses > _window / 2) _pausedFor = 16;   // 16 windows of 4096 records
        (_window, _misses) = (0, 0);
    }

    /// <summary>Whether a record that missed should become a shape (not while learning is paused).</summary>
    public bool Learning => _pausedFor == 0;

    /// <summary>Keeps a shape, replacing the oldest when all slots are taken.</summary>
    public void Add(Shape shape)
    {
        _shapes[_next] = shape;
        _last = _next;
        _next = (_next + 1) & (Capacity - 1);
    }
}
