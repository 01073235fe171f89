using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Streaming.Contract;
using Streaming.Stats;
using Streaming.TfRecord;

namespace Streaming.Data;

/// <summary>
/// Reads a shard set into memory: shards are read in parallel (each by its own reader: I/O, CRC checks and
/// decompression off the training thread) and interleaved deterministically (round-robin over <see cref="CycleLength"/>
/// open shards, as tf.data's deterministic interleave), so the same data and seed always give the same order.
/// Each record is decoded per the plan and goes to the training or the validation set by a seeded hash of its
/// position (shard name, index in shard), so the split does not depend on how many shards there are or their order.
/// </summary>
public sealed class ShardLoader(FeatureLayout layout, ILogger log)
{
    public int CycleLength { get; init; } = 4;
    public int QueueDepth { get; init; } = 512;

    public sealed record Result(Dataset Train, Dataset Validation, long Records, long Bytes, TimeSpan Elapsed);

    /// <summary>Loads every record; <paramref name="validationFraction"/> of them (by hash) into the validation set.</summary>
    public Result Load(ShardSet set, double validationFraction, ulong seed)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var train = new Dataset(layout.NumericWidth, layout.IndexSlots.Count);
        var val = new Dataset(layout.NumericWidth, layout.IndexSlots.Count);
        var decoder = new ExampleDecoder(layout);
        ulong threshold = (ulong)(validationFraction * ulong.MaxValue);
        long records = 0, bytes = 0;
        var pending = new Queue<int>(Enumerable.Range(0, set.Shards.Count));
        var active = new List<(int Shard, BlockingCollection<byte[]> Queue, Task Reader, long Index)>();
        using var cancel = new CancellationTokenSource();
        try
        {
            void OpenNext()
            {
                int s = pending.Dequeue();
                var q = new BlockingCollection<byte[]>(QueueDepth);
                var shard = set.Shards[s];
                var task = Task.Run(() =>
                {
                    try { foreach (var rec in set.ReadShard(shard)) q.Add(rec, cancel.Token); }
                    finally { q.CompleteAdding(); }
                });
                active.Add((s, q, task, 0));
            }
            while (active.Count < CycleLength && pending.Count > 0) OpenNext();
            int turn = 0;
            while (active.Count > 0)
            {
                turn %= active.Count;
                var (s, q, task, index) = active[turn];
                if (!q.TryTake(out var rec, Timeout.Infinite))
                {
                    task.GetAwaiter().GetResult();  // surfaces a reader's exception (corrupt shard, I/O error)
                    active.RemoveAt(turn);
                    if (pending.Count > 0) OpenNext();
                    continue;
                }
                var name = set.Shards[s].Name;
                bool isVal = threshold > 0 && PositionHash(seed, name, index) < threshold;
                var target = isVal ? val : train;
                target.Next(out var num, out var idx);
                try { decoder.Decode(rec, num, idx, out float label); target.Commit(label, records); }
                catch (DataException e) { throw new DataException($"{set.Directory}/{name} record {index}: {e.Message}"); }
                active[turn] = (s, q, task, index + 1);
                records++;
                bytes += rec.Length;
                turn++;
            }
        }
        finally
        {
            cancel.Cancel();
        }
        log.LogInformation("loaded {Records} examples ({MB:F1} MB) from {Shards} shards of {Dir} in {Seconds:F1} s: {Train} train, {Val} validation",
            records, bytes / 1e6, set.Shards.Count, set.Directory, sw.Elapsed.TotalSeconds, train.Count, val.Count);
        return new Result(train, val, records, bytes, sw.Elapsed);
    }

    private static ulong PositionHash(ulong seed, string shard, long index)
    {
        Span<byte> buf = stackalloc byte[16 + 3 * shard.Length];
        BitConverter.TryWriteBytes(buf, seed);
        BitConverter.TryWriteBytes(buf[8..], index);
        int n = System.Text.Encoding.UTF8.GetBytes(shard, buf[16..]);
        return Hash64.Of(buf[..(16 + n)]);
    }
}
