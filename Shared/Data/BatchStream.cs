using System.Threading.Channels;

namespace Streaming.Data;

/// <summary>
/// Mini-batches made on a background task and prefetched through a bounded channel, so input work overlaps the math.
/// <c>prepare</c>, when given, runs on that task too, for per-batch work the consumer would otherwise do between steps.
/// The batches are a fixed set recycled through the epoch (no allocation per step, nothing for the GC to sweep
/// mid-epoch): a batch is the consumer's until it asks for the next one, and must not be kept past that.
/// </summary>
public static class BatchStream
{
    public const int Prefetch = 3;

    /// <summary>An in-memory data set's epoch: a seeded permutation (a full shuffle), or the rows in order.</summary>
    public static IEnumerable<Batch> Epoch(Dataset data, int batchSize, bool shuffle, int seed, Action<Batch>? prepare = null)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        if (shuffle) new Random(seed).Shuffle(order);
        return Pump(batchSize, data.NumericWidth, data.IndexCount, prepare, (sink, _) =>
        {
            for (int start = 0; start < order.Length; start += batchSize)
            {
                var b = sink.Rent();
                data.Gather(order.AsSpan(start, Math.Min(batchSize, order.Length - start)), b);
                sink.Emit(b);
            }
        });
    }

    /// <summary>Where a producer takes empty batches from and hands full ones to.</summary>
    public sealed class Sink(ChannelReader<Batch> free, ChannelWriter<Batch> ready, Action<Batch>? prepare, CancellationToken cancel)
    {
        /// <summary>An empty batch (Size 0) from the recycled set; waits while all are in use.</summary>
        public Batch Rent()
        {
            var b = free.ReadAsync(cancel).AsTask().GetAwaiter().GetResult();
            b.Size = 0;
            return b;
        }

        public void Emit(Batch b)
        {
            prepare?.Invoke(b);
            ready.WriteAsync(b, cancel).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Runs <paramref name="produce"/> on its own thread and yields what it emits. A consumer that stops early cancels
    /// it (the token it is given), so nothing is left blocked.
    /// </summary>
    public static IEnumerable<Batch> Pump(int batchSize, int numericWidth, int indexCount, Action<Batch>? prepare, Action<Sink, CancellationToken> produce)
    {
        var ready = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Prefetch) { SingleReader = true, SingleWriter = true });
        // Prefetch in the channel, one being filled, one with the consumer: no more are ever in use at once.
        var free = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        for (int i = 0; i < Prefetch + 2; i++) free.Writer.TryWrite(new Batch(batchSize, numericWidth, indexCount));
        using var abandon = new CancellationTokenSource();
        var sink = new Sink(free.Reader, ready.Writer, prepare, abandon.Token);
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                produce(sink, abandon.Token);
                ready.Writer.Complete();
            }
            catch (Exception e) { ready.Writer.Complete(e); }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
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
            producer.Wait();
        }
    }
}
