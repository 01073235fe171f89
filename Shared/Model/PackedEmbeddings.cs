using System.Diagnostics;

namespace Streaming.Model;

/// <summary>
/// The network's embedding lookups as one gather. The embedding tables of <see cref="ModelSpec.Embeddings"/> are
/// packed end to end (feature order, each row-major [cardinality × dim]) into one vector; the concatenated embeddings
/// of a row are that vector read at <see cref="Width"/> positions: for feature f with index c, the dim positions
/// offset_f + c·dim_f + k. The trainer's module gathers with these positions in one op (and scatters its gradient in
/// one op) instead of one lookup per feature; the positions are computed here, on the CPU, by the input pipeline.
/// </summary>
public sealed class PackedEmbeddings
{
    private readonly int[] dims;
    private readonly long[] offsets;

    public PackedEmbeddings(ModelSpec spec)
    {
        dims = spec.Embeddings.Select(e => e.Dim).ToArray();
        offsets = new long[dims.Length];
        long offset = 0;
        for (int f = 0; f < dims.Length; f++) { offsets[f] = offset; offset += (long)spec.Embeddings[f].Cardinality * dims[f]; }
        Width = dims.Sum();
        Length = offset;
    }

    /// <summary>Columns of the concatenated embeddings (the sum of the dims).</summary>
    public int Width { get; }
    /// <summary>Elements of the packed tables.</summary>
    public long Length { get; }

    /// <summary>Gather positions [rows × <see cref="Width"/>] for category indices [rows × features].</summary>
    public void Positions(ReadOnlySpan<int> categorical, int rows, Span<long> positions)
    {
        int features = dims.Length;
        Debug.Assert(categorical.Length >= rows * features && positions.Length >= rows * Width);
        int p = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = categorical.Slice(r * features, features);
            for (int f = 0; f < features; f++)
            {
                int dim = dims[f];
                long start = offsets[f] + (long)row[f] * dim;   // indices are range-checked when examples are decoded
                for (int k = 0; k < dim; k++) positions[p++] = start + k;
            }
        }
    }
}
