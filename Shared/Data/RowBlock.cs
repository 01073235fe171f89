using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Streaming.Data;

/// <summary>
/// How one decoded example is laid out packed: numeric floats, then indices, then the label, then the id (8-aligned),
/// in one stride. Shard readers decode into packed rows and the shuffle buffer stores them as they are, so moving a
/// row between them is one short copy, and a row drawn at random from a large buffer costs one or two cache lines
/// instead of a miss per column.
/// </summary>
public readonly struct PackedRow(int numericWidth, int indexCount)
{
    public readonly int NumericWidth = numericWidth, IndexCount = indexCount;
    public int IndicesAt => 4 * NumericWidth;
    public int LabelAt => IndicesAt + 4 * IndexCount;
    public int IdAt => (LabelAt + 4 + 7) & ~7;
    /// <summary>Bytes a row takes: at least 16, a multiple of 8.</summary>
    public int Stride => IdAt + 8;

    public Span<float> Numeric(Span<byte> row) => MemoryMarshal.Cast<byte, float>(row[..IndicesAt]);
    public Span<int> Indices(Span<byte> row) => MemoryMarshal.Cast<byte, int>(row[IndicesAt..LabelAt]);
    public ref float Label(Span<byte> row) => ref MemoryMarshal.AsRef<float>(row.Slice(LabelAt, 4));
    public ref long Id(Span<byte> row) => ref MemoryMarshal.AsRef<long>(row.Slice(IdAt, 8));

    /// <summary>Appends a packed row to a batch (which must have room).</summary>
    public void AppendTo(ReadOnlySpan<byte> row, Batch batch)
    {
        Debug.Assert(row.Length == Stride && batch.Size < batch.Capacity);
        int i = batch.Size++;
        CopyShort(row[..IndicesAt], MemoryMarshal.AsBytes(batch.Numeric.AsSpan(i * NumericWidth, NumericWidth)));
        CopyShort(row[IndicesAt..LabelAt], MemoryMarshal.AsBytes(batch.Categorical.AsSpan(i * IndexCount, IndexCount)));
        batch.Labels[i] = MemoryMarshal.Read<float>(row[LabelAt..]);
        batch.Ids[i] = MemoryMarshal.Read<long>(row[IdAt..]);
    }

    /// <summary>Copies a few dozen bytes (a row's floats or indices; any length) without a memmove call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyShort(ReadOnlySpan<byte> from, Span<byte> to)
    {
        Debug.Assert(to.Length == from.Length);
        if (from.Length >= 16) Copy(from, to);
        else from.CopyTo(to);
    }

    /// <summary>
    /// Copies one row: 16-byte moves, the last one overlapping (rows are tens of bytes; a general memmove call costs
    /// more than the copy).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(ReadOnlySpan<byte> from, Span<byte> to)
    {
        int n = from.Length;
        Debug.Assert(n >= 16 && to.Length == n);   // the loads and stores below stay inside both spans
        ref byte s = ref MemoryMarshal.GetReference(from);
        ref byte d = ref MemoryMarshal.GetReference(to);
        int last = n - 16;
        for (int i = 0; i < last; i += 16) Vector128.LoadUnsafe(ref s, (nuint)i).StoreUnsafe(ref d, (nuint)i);
        Vector128.LoadUnsafe(ref s, (nuint)last).StoreUnsafe(ref d, (nuint)last);
    }
}

/// <summary>
/// Decoded examples in a block of fixed capacity, packed row by row (<see cref="PackedRow"/>): the unit a shard reader
/// hands to the input pipeline. Rows are copied out, never referenced, so blocks recycle.
/// </summary>
public sealed class RowBlock(int capacity, int numericWidth, int indexCount)
{
    public int Capacity { get; } = capacity;
    public PackedRow Layout { get; } = new(numericWidth, indexCount);
    public int Count { get; set; }
    private readonly byte[] _rows = new byte[capacity * new PackedRow(numericWidth, indexCount).Stride];
    /// <summary>Whether the row falls in the validation split (set when a stream keeps both sides).</summary>
    public bool[] Validation { get; } = new bool[capacity];

    public Span<byte> Row(int row) => _rows.AsSpan(row * Layout.Stride, Layout.Stride);

    /// <summary>Appends row <paramref name="row"/> to a batch (which must have room).</summary>
    public void AppendTo(Batch batch, int row) => Layout.AppendTo(Row(row), batch);
}
