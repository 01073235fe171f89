using Streaming.Core;
using Microsoft.Extensions.Logging;
using Streaming.Storage;

namespace Streaming.Data;

/// <summary>
/// Reads a shard set into memory (<c>--cache</c>): one pass of a <see cref="ShardStream"/> in shard-name order (the
/// deterministic interleave of parallel shard readers), each record to the training or the validation set by the
/// seeded hash of its position (<see cref="ValidationSplit"/>), so the split does not depend on how many shards there
/// are or their order.
/// </summary>
public sealed class ShardLoader(FeatureLayout layout, ILogger log)
{
    public sealed record Result(Dataset Train, Dataset Validation, long Records, TimeSpan Elapsed);

    /// <summary>Loads every record; <paramref name="validationFraction"/> of them (by hash) into the validation set.</summary>
    public Result Load(ShardSet set, double validationFraction, ulong seed)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var train = new Dataset(layout.NumericWidth, layout.IndexSlots.Count);
        var val = new Dataset(layout.NumericWidth, layout.IndexSlots.Count);
        var stream = new ShardStream(set, layout, new ValidationSplit(validationFraction, seed), SplitSide.Both);
        long records = 0;
        foreach (var (block, row) in stream.Rows(Enumerable.Range(0, set.Shards.Count).ToArray(), CancellationToken.None))
        {
            var target = block.Validation[row] ? val : train;
            target.Next(out var num, out var idx);
            var packed = block.Row(row);
            block.Layout.Numeric(packed).CopyTo(num);
            block.Layout.Indices(packed).CopyTo(idx);
            target.Commit(block.Layout.Label(packed), records++);
        }
        log.LogInformation("loaded {Records} examples from {Shards} of {Dir} in {Seconds:F1} s: {Train} train, {Val} validation",
            records, Plural.Of(set.Shards.Count, "shard"), set.Directory, sw.Elapsed.TotalSeconds, train.Count, val.Count);
        return new Result(train, val, records, sw.Elapsed);
    }
}
