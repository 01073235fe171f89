using System.Threading.Channels;

namespace Streaming.Data;

/// <summary>
/// Mini-batches of a dataset for one epoch: a seeded permutation (a full shuffle of the in-memory data), batches
/// assembled on a background task and prefetched through a bounded channel, so gathering overlaps the math.
/// <c>prepare</c>, when given, runs on that task too, for per-batch work the consumer would otherwise do between steps.
/// The batches are a fixed set recycled through the epoch (no allocation per step, nothing for the GC to sweep
/// mid-epoch): a batch is the consumer's until it asks for the next one, and must not be kept past that.
/// </summary>
public static class BatchStream
{
    public const int Prefetch = 3;

    public static IEnumerable<Batch> Epoch(Dataset data, int batchSize, bool shuffle, int seed, Action<Batch>? prepare = null)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        if (shuffle) new Random(seed).Shuffle(order);
        var ready = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Prefetch) { SingleReader = true, SingleWriter = true });
        // Prefetch in the channel, one being filled, one with the consumer: no more are ever in use at once.
        var free = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        int batches = (order.Length + batchSize - 1) / batchSize;
        for (int i = 0; i < Math.Min(batches, Prefetch + 2); i++) free.Writer.TryWrite(new Batch(batchSize, data.NumericWidth, data.IndexCount));
        using var abandon = new CancellationTokenSource();   // a consumer that stops early must not strand the producer
        var producer = Task.Run(async () =>
        {
            try
            {
                for (int start = 0; start < order.Length; start += batchSize)
                {
                    var b = await free.Reader.ReadAsync(abandon.Token);
                    data.Gather(order.AsSpan(start, Math.Min(batchSize, order.Length - start)), b);
                    prepare?.Invoke(b);
                    await ready.Writer.WriteAsync(b, abandon.Token);
                }
                ready.Writer.Complete();
            }
            catch (Exception e) { ready.Writer.Complete(e); }
        });
        var reader = ready.Reader;
        Batch? held = null;
        bool finished = false;
        try
        {
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                while (reader.TryRead(out var b))
                {
                    if (held is not null) free.Writer.TryWrite(held);
                    held = b;
                    yield return b;
                }
            finished = true;
        }
        finally
        {
            if (!finished) abandon.Cancel();
        }
        producer.GetAwaiter().GetResult();
    }
}
