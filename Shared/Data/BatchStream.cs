using System.Threading.Channels;

namespace Streaming.Data;

/// <summary>
/// Mini-batches of a dataset for one epoch: a seeded permutation (a full shuffle of the in-memory data), batches
/// assembled on a background task and prefetched through a bounded channel, so gathering overlaps the math.
/// </summary>
public static class BatchStream
{
    public const int Prefetch = 3;

    public static IEnumerable<Batch> Epoch(Dataset data, int batchSize, bool shuffle, int seed)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        if (shuffle) new Random(seed).Shuffle(order);
        var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Prefetch) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                for (int start = 0; start < order.Length; start += batchSize)
                {
                    var b = new Batch(batchSize, data.NumericWidth, data.IndexCount);
                    data.Gather(order.AsSpan(start, Math.Min(batchSize, order.Length - start)), b);
                    await channel.Writer.WriteAsync(b);
                }
                channel.Writer.Complete();
            }
            catch (Exception e) { channel.Writer.Complete(e); }
        });
        var reader = channel.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            while (reader.TryRead(out var b)) yield return b;
        producer.GetAwaiter().GetResult();
    }
}
