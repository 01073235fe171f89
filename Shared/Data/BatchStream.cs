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
    public sealed class Sink(BlockQueue<Batch> free, BlockQueue<Batch> ready, Action<Batch>? prepare, CancellationToken cancel)
    {
        /// <summary>An empty batch (Size 0) from the recycled set; waits while all are in use.</summary>
        public Batch Rent()
        {
            if (!free.TryTake(out var b, cancel)) throw new OperationCanceledException(cancel);
            b.Size = 0;
            return b;
        }

        public void Emit(Batch b)
        {
            prepare?.Invoke(b);
            ready.Add(b, cancel);
        }
    }

    /// <summary>
    /// Runs <paramref name="produce"/> on its own thread and yields what it emits. A consumer that stops early cancels
    /// it (the token it is given), so nothing is left blocked.
    /// </summary>
    public static IEnumerable<Batch> Pump(int batchSize, int numericWidth, int indexCount, Action<Batch>? prepare, Action<Sink, CancellationToken> produce)
    {
        var ready = new BlockQueue<Batch>(Prefetch);
        // Prefetch in the queue, one being filled, one with the consumer: no more are ever in use at once.
        var free = new BlockQueue<Batch>(Prefetch + 2);
        using var abandon = new CancellationTokenSource();
        for (int i = 0; i < Prefetch + 2; i++) free.Add(new Batch(batchSize, numericWidth, indexCount), abandon.Token);
        var sink = new Sink(free, ready, prepare, abandon.Token);
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                produce(sink, abandon.Token);
                ready.CompleteAdding();
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested) { ready.CompleteAdding(); }
            catch (Exception e) { ready.CompleteAdding(e); }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Batch? held = null;
        bool finished = false;
        try
        {
            while (ready.TryTake(out var b, CancellationToken.None))
            {
                if (held is not null) free.Add(held, CancellationToken.None);
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
