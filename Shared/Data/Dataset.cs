namespace Streaming.Data;

/// <summary>Decoded examples kept column-wise in memory: numeric rows, index rows, labels, and each row's id.</summary>
public sealed class Dataset(int numericWidth, int indexCount)
{
    private float[] _numeric = new float[1024 * Math.Max(1, numericWidth)];
    private int[] _indices = new int[1024 * Math.Max(1, indexCount)];
    private float[] _labels = new float[1024];
    private long[] _ids = new long[1024];

    public int NumericWidth { get; } = numericWidth;
    public int IndexCount { get; } = indexCount;
    public int Count { get; private set; }
    public ReadOnlySpan<float> Labels => _labels.AsSpan(0, Count);
    public ReadOnlySpan<long> Ids => _ids.AsSpan(0, Count);

    /// <summary>Space for one more row; fill it, then <see cref="Commit"/>.</summary>
    public void Next(out Span<float> numeric, out Span<int> indices)
    {
        if (Count == _labels.Length)
        {
            int cap = _labels.Length * 2;
            Array.Resize(ref _numeric, cap * Math.Max(1, NumericWidth));
            Array.Resize(ref _indices, cap * Math.Max(1, IndexCount));
            Array.Resize(ref _labels, cap);
            Array.Resize(ref _ids, cap);
        }
        numeric = _numeric.AsSpan(Count * NumericWidth, NumericWidth);
        indices = _indices.AsSpan(Count * IndexCount, IndexCount);
    }

    public void Commit(float label, long id)
    {
        _labels[Count] = label;
        _ids[Count] = id;
        Count++;
    }

    /// <summary>Copies rows <paramref name="rows"/> into a batch.</summary>
    public void Gather(ReadOnlySpan<int> rows, Batch batch)
    {
        batch.Size = rows.Length;
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            _numeric.AsSpan(r * NumericWidth, NumericWidth).CopyTo(batch.Numeric.AsSpan(i * NumericWidth));
            _indices.AsSpan(r * IndexCount, IndexCount).CopyTo(batch.Categorical.AsSpan(i * IndexCount));
            batch.Labels[i] = _labels[r];
            batch.Ids[i] = _ids[r];
        }
    }
}
