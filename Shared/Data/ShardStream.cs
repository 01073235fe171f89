using System.Collections.Concurrent;
using Streaming.Core;
using Streaming.TfRecord;
using Streaming.Storage;

namespace Streaming.Data;

/// <summary>Which records of a shard set a stream keeps: a seeded hash of each record's position picks the validation ones.</summary>
/// <remarks>The position (shard name, index in shard) does not depend on how many shards there are or their order.</remarks>
public sealed record ValidationSplit(double Fraction, ulong Seed)
{
    public static readonly ValidationSplit None = new(0, 0);
    private readonly ulong threshold = (ulong)(Fraction * ulong.MaxValue);

    public bool IsValidation(string shard, long index) => ForShard(shard).IsValidation(index);

    /// <summary>The split of one shard: the hashed bytes (seed, index, shard name) laid out once, only the index written per record.</summary>
    public Shard ForShard(string shard)
    {
        var key = new byte[16 + System.Text.Encoding.UTF8.GetByteCount(shard)];
        BitConverter.TryWriteBytes(key, Seed);
        System.Text.Encoding.UTF8.GetBytes(shard, key.AsSpan(16));
        return new Shard(key, threshold);
    }

    public readonly struct Shard(byte[] key, ulong threshold)
    {
        public bool IsValidation(long index)
        {
            if (threshold == 0) return false;
            BitConverter.TryWriteBytes(key.AsSpan(8), index);
            return Hash64.Of(key) < threshold;
        }
    }
}

public enum SplitSide { Train, Validation, Both }

/// <summary>
/// TFRecord shards as a stream of decoded examples, as tf.data reads them: <see cref="CycleLength"/> shards open at
/// once, each read, CRC-checked, decompressed and decoded by its own worker into blocks of rows, the open shards
/// interleaved one row per turn (a deterministic interleave: worker timing never changes the order), then an
/// optional seeded shuffle buffer, then batches prefetched by <see cref="BatchStream"/>. With shuffling, the shard
/// order is a seeded permutation per epoch. Memory is bounded by the shuffle buffer, CycleLength × (QueueBlocks + 2)
/// blocks of <see cref="BlockRows"/> rows and the prefetched batches — not by the number of records.
/// Same data, seed, epoch and shuffle buffer → the same batches, whatever the thread count.
/// </summary>
public sealed class ShardStream(ShardSet set, FeatureLayout layout, ValidationSplit split, SplitSide side)
{
    public int CycleLength { get; init; } = 4;
    public int BlockRows { get; init; } = 1024;
    public int QueueBlocks { get; init; } = 4;
    private const int Lookahead = 8;   // a power of two

    // The last epoch's shuffle buffer, reused by the next: a new one per epoch (tens of MB) would sit dead on the large
    // object heap until a full collection, and peak memory would grow by a buffer or two after the first epoch.
    private ShuffleBuffer? _spare;

    /// <summary>Bytes one buffered row takes (numeric, indices, label, id): what sizes a shuffle buffer to memory.</summary>
    public int RowBytes => ShuffleBuffer.RowBytes(layout.NumericWidth, layout.IndexSlots.Count);

    /// <summary>
    /// One epoch's batches. <paramref name="shuffleBuffer"/> 0 keeps the interleave order (evaluation); otherwise shards
    /// are permuted per epoch and rows pass through a buffer of that many rows, each output drawn from it at random.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch, int batchSize, int shuffleBuffer, int seed, Action<Batch>? prepare = null)
    {
        ulong epochSeed = Mix((ulong)seed, (ulong)epoch);
        var order = Enumerable.Range(0, set.Shards.Count).ToArray();
        if (shuffleBuffer > 0) new Random((int)epochSeed).Shuffle(order);
        return BatchStream.Pump(batchSize, layout.NumericWidth, layout.IndexSlots.Count, prepare, (sink, cancel) =>
        {
            var buffer = shuffleBuffer > 0 ? TakeBuffer(shuffleBuffer) : null;
            try { Produce(sink, order, batchSize, buffer, new SplitMix(epochSeed), cancel); }
            finally { if (buffer is not null) Interlocked.Exchange(ref _spare, buffer); }
        });
    }

    /// <summary>One epoch's rows into batches: straight through, or through the shuffle buffer when there is one.</summary>
    private void Produce(BatchStream.Sink sink, int[] order, int batchSize, ShuffleBuffer? buffer, SplitMix rng, CancellationToken cancel)
    {
        Batch? current = null;
        Batch Current() => current ??= sink.Rent();
        void Full()
        {
            if (current!.Size == batchSize) { sink.Emit(current); current = null; }
        }
        // The slots the next rows will be drawn from, drawn Lookahead rows early so each is prefetched while
        // the rows before it are copied: a draw from a buffer of tens of MB is a cache miss, which one row of
        // work does not hide. The draws are the rng's in sequence either way; only their timing moves.
        var ahead = new int[Lookahead];
        int head = -1;
        foreach (var (block, row) in Rows(order, cancel))
        {
            if (buffer is null) { block.AppendTo(Current(), row); Full(); }
            else if (buffer.Count < buffer.Capacity) buffer.Add(block, row);
            else
            {
                if (head < 0)
                {
                    for (int a = 0; a < Lookahead; a++) buffer.Prefetch(ahead[a] = rng.Next(buffer.Capacity));
                    head = 0;
                }
                int j = ahead[head];
                buffer.Prefetch(ahead[head] = rng.Next(buffer.Capacity));
                head = (head + 1) & (Lookahead - 1);
                buffer.AppendTo(Current(), j);
                Full();
                buffer.Store(block, row, j);
            }
        }
        if (buffer is not null)
            for (int n = buffer.Count; n > 0; n--)
            {
                int j = rng.Next(n);
                buffer.AppendTo(Current(), j);
                Full();
                buffer.Move(n - 1, j);
            }
        if (current is { Size: > 0 }) sink.Emit(current);
    }

    /// <summary>The spare buffer when it has this capacity (emptied), else a new one. Epochs may overlap: each takes its own.</summary>
    private ShuffleBuffer TakeBuffer(int capacity)
    {
        var spare = Interlocked.Exchange(ref _spare, null);
        if (spare is null || spare.Capacity != capacity) return new ShuffleBuffer(capacity, layout.NumericWidth, layout.IndexSlots.Count);
        spare.Clear();
        return spare;
    }

    /// <summary>
    /// The kept rows of the shards in <paramref name="order"/>, interleaved one row per open shard per turn. A yielded
    /// row is valid until the next one is asked for. Row ids are the record's position: shard ordinal &lt;&lt; 40 | index.
    /// </summary>
    public IEnumerable<(RowBlock Block, int Row)> Rows(int[] order, CancellationToken cancel)
    {
        var pool = new ConcurrentBag<RowBlock>();
        RowBlock Rent() => pool.TryTake(out var b) ? b : new RowBlock(BlockRows, layout.NumericWidth, layout.IndexSlots.Count);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var pending = new Queue<int>(order);
        var active = new List<ShardReader>();
        try
        {
            void OpenNext()
            {
                int ordinal = pending.Dequeue();
                var queue = new BlockQueue<RowBlock>(QueueBlocks);
                var task = Task.Factory.StartNew(() => Read(ordinal, queue, Rent, stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                active.Add(new ShardReader(queue, task));
            }
            while (active.Count < CycleLength && pending.Count > 0) OpenNext();
            int turn = 0;
            while (active.Count > 0)
            {
                turn %= active.Count;
                var r = active[turn];
                if (r.Block is null || r.Row == r.Block.Count)
                {
                    if (r.Block is not null) { r.Block.Count = 0; pool.Add(r.Block); r.Block = null; }
                    if (!r.Queue.TryTake(out var next, stop.Token))
                    {
                        r.Task.GetAwaiter().GetResult();   // surfaces a reader's exception (corrupt shard, I/O error)
                        active.RemoveAt(turn);
                        if (pending.Count > 0) OpenNext();
                        continue;
                    }
                    (r.Block, r.Row) = (next, 0);
                }
                yield return (r.Block, r.Row++);
                turn++;
            }
        }
        finally
        {
            stop.Cancel();
            foreach (var r in active) try { r.Task.Wait(); } catch (AggregateException) { /* cancelled, or already surfaced */ }
        }
    }

    private sealed class ShardReader(BlockQueue<RowBlock> queue, Task task)
    {
        public BlockQueue<RowBlock> Queue { get; } = queue;
        public Task Task { get; } = task;
        public RowBlock? Block { get; set; }
        public int Row { get; set; }
    }

    private void Read(int ordinal, BlockQueue<RowBlock> queue, Func<RowBlock> rent, CancellationToken cancel)
    {
        try
        {
            var shard = set.Shards[ordinal];
            var decoder = new ExampleDecoder(layout.Slots);
            var splitter = split.ForShard(shard.Name);
            var block = rent();
            long index = -1;
            // The handler for a bad record sits outside the per-record call: a try region inside it would keep the
            // JIT from optimising the hot path.
            try
            {
                set.ForEachRecord(shard, record =>
                {
                    index++;
                    bool validation = splitter.IsValidation(index);   // one hash a record
                    if (side != SplitSide.Both && validation != (side == SplitSide.Validation)) return;
                    int n = block.Count;
                    var row = block.Row(n);
                    decoder.Decode(record, block.Layout.Numeric(row), block.Layout.Indices(row), out block.Layout.Label(row));
                    block.Layout.Id(row) = ((long)ordinal << 40) | index;
                    block.Validation[n] = validation;
                    block.Count = n + 1;
                    if (block.Count == block.Capacity) { queue.Add(block, cancel); block = rent(); }
                });
            }
            catch (DataException e) { throw new DataException($"{set.Directory}/{shard.Name} record {index}: {e.Message}"); }
            if (block.Count > 0) queue.Add(block, cancel);
        }
        finally { queue.CompleteAdding(); }
    }

    private static ulong Mix(ulong a, ulong b)
    {
        ulong x = a * 0x9E3779B97F4A7C15UL ^ (b + 0x632BE59BD9B4E019UL);
        x ^= x >> 31; x *= 0xBF58476D1CE4E5B9UL; x ^= x >> 29;
        return x;
    }
}
