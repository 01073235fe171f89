namespace Streaming.Data;

/// <summary>A training, validation or evaluation input: the batches of one epoch, in memory or streamed from shards.</summary>
public interface IExampleSource
{
    /// <summary>Examples per epoch, when known (in memory: always; streamed: after a whole epoch, or from the manifest without a split).</summary>
    long? Count { get; }

    /// <summary>
    /// Examples per epoch to plan with (the learning-rate schedule, epochs sized to the data), fixed before the first
    /// batch so a resumed run plans as the uninterrupted one did: <see cref="Count"/> when known from the start, else
    /// the manifest's records less the validation split's expected share; null when not even that is known.
    /// </summary>
    long? Expected => Count;

    /// <summary>
    /// One epoch's batches (recycled: see <see cref="BatchStream"/>). <paramref name="shuffle"/>: training order, seeded by
    /// the source's seed and <paramref name="epoch"/>; otherwise a fixed order.
    /// </summary>
    IEnumerable<Batch> Epoch(int epoch, int batchSize, bool shuffle, Action<Batch>? prepare = null);
}

/// <summary>A data set held in memory (<c>--cache</c>): a full shuffle per epoch.</summary>
public sealed class InMemorySource(Dataset data, int seed) : IExampleSource
{
    public Dataset Data { get; } = data;
    public long? Count => Data.Count;

    public IEnumerable<Batch> Epoch(int epoch, int batchSize, bool shuffle, Action<Batch>? prepare = null) =>
        BatchStream.Epoch(Data, batchSize, shuffle, seed * 7919 + epoch, prepare);
}

/// <summary>Shards streamed every epoch (<see cref="ShardStream"/>): memory bounded by the shuffle buffer, not the data.</summary>
public sealed class StreamingSource(ShardStream stream, int shuffleBuffer, int seed, long? knownCount, long? expected = null) : IExampleSource
{
    public long? Count { get; private set; } = knownCount;
    public long? Expected { get; } = knownCount ?? expected;
    public int ShuffleBuffer { get; } = shuffleBuffer;

    public IEnumerable<Batch> Epoch(int epoch, int batchSize, bool shuffle, Action<Batch>? prepare = null)
    {
        long seen = 0;
        foreach (var b in stream.Epoch(epoch, batchSize, shuffle ? ShuffleBuffer : 0, seed, prepare))
        {
            seen += b.Size;
            yield return b;
        }
        Count = seen;   // a whole epoch went by: now the count is known
    }
}
