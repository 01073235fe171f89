using System.Runtime.InteropServices;

namespace Streaming.Data;

/// <summary>
/// tf.data's shuffle buffer: rows go in, each output is a uniformly drawn buffered row whose slot the next input
/// takes. A large buffer (a million rows, tens of MB) is read at random, so a row is stored packed — numeric
/// floats, indices, label and id side by side in one stride — and costs one cache miss instead of one per column,
/// and the slot drawn next is prefetched while the current row is copied. Stored in chunks, so the buffer's size is
/// not limited by one array's.
/// </summary>
public sealed class ShuffleBuffer
{
    private const int ChunkRowsLog2 = 14;
    private readonly byte[][] _chunks;
    private readonly int _numericWidth, _indexCount, _stride;
    private readonly int _indicesAt, _labelAt, _idAt;

    public ShuffleBuffer(int capacity, int numericWidth, int indexCount)
    {
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity));
        Capacity = capacity;
        (_numericWidth, _indexCount) = (numericWidth, indexCount);
        _indicesAt = 4 * numericWidth;
        _labelAt = _indicesAt + 4 * indexCount;
        _idAt = (_labelAt + 4 + 7) & ~7;
        _stride = _idAt + 8;
        int chunks = (int)(((long)capacity + (1 << ChunkRowsLog2) - 1) >> ChunkRowsLog2);
        _chunks = new byte[chunks][];
        for (int c = 0; c < chunks; c++)
            _chunks[c] = new byte[Math.Min(1 << ChunkRowsLog2, capacity - (c << ChunkRowsLog2)) * _stride];
    }

    /// <summary>Bytes a buffered row takes.</summary>
    public static int RowBytes(int numericWidth, int indexCount) => ((4 * numericWidth + 4 * indexCount + 4 + 7) & ~7) + 8;

    public int Capacity { get; }
    public int Count { get; private set; }

    private Span<byte> Slot(int slot) =>
        _chunks[slot >> ChunkRowsLog2].AsSpan((slot & ((1 << ChunkRowsLog2) - 1)) * _stride, _stride);

    /// <summary>Appends a row while the buffer is filling.</summary>
    public void Add(RowBlock source, int row) => Store(source, row, Count++);

    /// <summary>Writes row <paramref name="row"/> of a block into slot <paramref name="slot"/>.</summary>
    public void Store(RowBlock source, int row, int slot)
    {
        var s = Slot(slot);
        MemoryMarshal.AsBytes(source.NumericRow(row)).CopyTo(s);
        MemoryMarshal.AsBytes(source.IndexRow(row)).CopyTo(s[_indicesAt..]);
        MemoryMarshal.Write(s[_labelAt..], source.Labels[row]);
        MemoryMarshal.Write(s[_idAt..], source.Ids[row]);
    }

    /// <summary>Appends slot <paramref name="slot"/>'s row to a batch (which must have room).</summary>
    public void AppendTo(Batch batch, int slot)
    {
        var s = Slot(slot);
        int i = batch.Size++;
        MemoryMarshal.Cast<byte, float>(s[.._indicesAt]).CopyTo(batch.Numeric.AsSpan(i * _numericWidth, _numericWidth));
        MemoryMarshal.Cast<byte, int>(s[_indicesAt.._labelAt]).CopyTo(batch.Categorical.AsSpan(i * _indexCount, _indexCount));
        batch.Labels[i] = MemoryMarshal.Read<float>(s[_labelAt..]);
        batch.Ids[i] = MemoryMarshal.Read<long>(s[_idAt..]);
    }

    /// <summary>Moves slot <paramref name="from"/>'s row to slot <paramref name="to"/> (draining: the last row fills the hole).</summary>
    public void Move(int from, int to)
    {
        if (from != to) Slot(from).CopyTo(Slot(to));
        Count--;
    }

    /// <summary>Starts loading a slot into the cache: the next draw is known before the current row is copied.</summary>
    public void Prefetch(int slot)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        unsafe
        {
            // Both ends: a row may straddle two cache lines. The pin ends with the hint; nothing is read through p.
            fixed (byte* p = Slot(slot))
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p);
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + _stride - 1);
            }
        }
    }
}
