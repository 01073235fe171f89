namespace Streaming.Data;

/// <summary>
/// Decoded examples in model layout, column-wise, in a block of fixed capacity: the unit a shard reader hands to the
/// input pipeline. Rows are copied, never referenced, so blocks recycle (the shuffle buffer stores rows packed: ShuffleBuffer).
/// </summary>
public sealed class RowBlock(int capacity, int numericWidth, int indexCount)
{
    public int Capacity { get; } = capacity;
    public int NumericWidth { get; } = numericWidth;
    public int IndexCount { get; } = indexCount;
    public int Count { get; set; }
    public float[] Numeric { get; } = new float[capacity * numericWidth];
    public int[] Indices { get; } = new int[capacity * indexCount];
    public float[] Labels { get; } = new float[capacity];
    public long[] Ids { get; } = new long[capacity];
    /// <summary>Whether the row falls in the validation split (set when a stream keeps both sides).</summary>
    public bool[] Validation { get; } = new bool[capacity];

    public Span<float> NumericRow(int row) => Numeric.AsSpan(row * NumericWidth, NumericWidth);
    public Span<int> IndexRow(int row) => Indices.AsSpan(row * IndexCount, IndexCount);

    /// <summary>Appends row <paramref name="row"/> to a batch (which must have room).</summary>
    public void AppendTo(Batch batch, int row)
    {
        int i = batch.Size++;
        NumericRow(row).CopyTo(batch.Numeric.AsSpan(i * NumericWidth, NumericWidth));
        IndexRow(row).CopyTo(batch.Categorical.AsSpan(i * IndexCount, IndexCount));
        batch.Labels[i] = Labels[row];
        batch.Ids[i] = Ids[row];
    }
}
