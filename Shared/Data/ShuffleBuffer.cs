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
    private readonly PackedRow _layout;
    private readonly int _stride;

    public ShuffleBuffer(int capacity, int numericWidth, int indexCount)
    {
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity));
        Capacity = capacity;
        _layout = new PackedRow(numericWidth, indexCount);
        _stride = _layout.Stride;
        int chunks = (int)(((long)capacity + (1 << ChunkRowsLog2) - 1) >> ChunkRowsLog2);
        _chunks = new byte[chunks][];
        for (int c = 0; c < chunks; c++)
            _chunks[c] = new byte[Math.Min(1 << ChunkRowsLog2, capacity - (c << ChunkRowsLog2)) * _stride];
    }

    /// <summary>Bytes a buffered row takes.</summary>
    public static int RowBytes(int numericWidth, int indexCount) => new PackedRow(numericWidth, indexCount).Stride;

    public int Capacity { get; }
    public int Count { get; private set; }

    private Span<byte> Slot(int slot) =>
        _chunks[slot >> ChunkRowsLog2].AsSpan((slot & ((1 << ChunkRowsLog2) - 1)) * _stride, _stride);

    /// <summary>Forgets every buffered row (an epoch left early leaves some), so the buffer can serve another epoch.</summary>
    public void Clear() => Count = 0;

    /// <summary>Appends a row while the buffer is filling.</summary>
    public void Add(RowBlock source, int row) => Store(source, row, Count++);

    /// <summary>Writes row <paramref name="row"/> of a block into slot <paramref name="slot"/>.</summary>
    public void Store(RowBlock source, int row, int slot) => PackedRow.Copy(source.Row(row), Slot(slot));

    /// <summary>Appends slot <paramref name="slot"/>'s row to a batch (which must have room).</summary>
    public void AppendTo(Batch batch, int slot) => _layout.AppendTo(Slot(slot), batch);

    /// <summary>Moves slot <paramref name="from"/>'s row to slot <paramref name="to"/> (draining: the last row fills the hole).</summary>
    public void Move(int from, int to)
    {
        if (from != to) PackedRow.Copy(Slot(from), Slot(to));
        Count--;
    }

    /// <summary>Starts loading a slot into the cache: draws are known some rows before their slot is copied.</summary>
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
