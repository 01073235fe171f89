namespace Streaming.Data;

/// <summary>A mini-batch in model layout: numeric inputs [B×F], category indices [B×C], labels [B].</summary>
public sealed class Batch
{
    public Batch(int capacity, int numericWidth, int categoricalCount)
    {
        Capacity = capacity;
        Numeric = new float[capacity * numericWidth];
        Categorical = new int[capacity * categoricalCount];
        Labels = new float[capacity];
        Ids = new long[capacity];
    }

    public int Capacity { get; }
    public int Size { get; set; }
    public float[] Numeric { get; }
    public int[] Categorical { get; }
    /// <summary>Regression target, 0/1 for binary, class index for multiclass.</summary>
    public float[] Labels { get; }
    /// <summary>
    /// Embedding gather positions [B×width] (see <see cref="Streaming.Model.PackedEmbeddings"/>), filled by the consumer's
    /// prepare step on the input pipeline's thread; null when the consumer needs none.
    /// </summary>
    public long[]? GatherPositions { get; set; }
    /// <summary>Position of each row in its data set (for exactly-once checks and predictions' order).</summary>
    public long[] Ids { get; }
}
