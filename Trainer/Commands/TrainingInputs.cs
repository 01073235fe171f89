using Microsoft.Extensions.Logging;
using Streaming.Trainer.Training;
using Streaming.Storage;
using Streaming.Data;

namespace Streaming.Trainer.Commands;

/// <summary>
/// Chooses how training reads its shards: in memory (<c>--cache on</c>, or <c>auto</c> when the manifest's record
/// count says the rows fit a quarter of the memory this process may use) or streamed every epoch through a shuffle
/// buffer (<c>--cache off</c>, or <c>auto</c> otherwise), whose memory does not grow with the data.
/// </summary>
public static class TrainingInputs
{
    /// <summary>Whether the rows are held in memory (decided from the manifest, before any record is read).</summary>
    public static bool InMemory(ShardSet set, FeatureLayout layout, TrainOptions o)
    {
        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;   // the container's limit under YARN/cgroups
        long? records = set.Manifest?.Shards.Sum(s => s.Records);
        int rowBytes = new ShardStream(set, layout, ValidationSplit.None, SplitSide.Train).RowBytes;
        // In memory a row costs its columns plus the data set's doubling growth (up to 2×).
        return o.Cache switch
        {
            "on" => true,
            "off" => false,
            _ => records is long n && 2.0 * n * rowBytes <= memory / 4.0,
        };
    }

    /// <param name="inMemory">From <see cref="InMemory"/>.</param>
    public static (IExampleSource Train, IExampleSource? Validation) Open(ShardSet set, ShardSet? validationSet, FeatureLayout layout,
        double fraction, TrainOptions o, bool inMemory, ILogger log)
    {
        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var probe = new ShardStream(set, layout, ValidationSplit.None, SplitSide.Train);
        long? records = set.Manifest?.Shards.Sum(s => s.Records);
        if (inMemory)
        {
            var loader = new ShardLoader(layout, log);
            var seed = (ulong)o.Seed;
            if (validationSet is null)
            {
                var loaded = loader.Load(set, fraction, seed);
                return (new InMemorySource(loaded.Train, o.Seed), fraction > 0 ? new InMemorySource(loaded.Validation, o.Seed) : null);
            }
            return (new InMemorySource(loader.Load(set, 0, seed).Train, o.Seed), new InMemorySource(loader.Load(validationSet, 0, 0).Train, o.Seed));
        }
        // Default: a million examples (tf.data pipelines rarely shuffle wider), less when memory is short.
        int buffer = o.ShuffleBuffer > 0 ? o.ShuffleBuffer : (int)Math.Clamp(memory / 16 / probe.RowBytes, 10_000, 1_000_000);
        if (records is long known) buffer = (int)Math.Min(buffer, Math.Max(1, known));
        var split = validationSet is null ? new ValidationSplit(fraction, (ulong)o.Seed) : ValidationSplit.None;
        var train = new StreamingSource(new ShardStream(set, layout, split, SplitSide.Train), buffer, o.Seed, split.Fraction == 0 ? records : null,
            records is long all ? (long)Math.Round(all * (1 - split.Fraction)) : null);
        IExampleSource? validation = validationSet is not null
            ? new StreamingSource(new ShardStream(validationSet, layout, ValidationSplit.None, SplitSide.Train), 0, o.Seed, validationSet.Manifest?.Shards.Sum(s => s.Records))
            : fraction > 0 ? new StreamingSource(new ShardStream(set, layout, split, SplitSide.Validation), 0, o.Seed, null) : null;
        log.LogInformation("streaming the shards every epoch{Why}: shuffle buffer {Buffer:N0} examples ({MB:F0} MB){Records}",
            o.Cache == "off" ? "" : records is null ? " (no manifest: the record count is unknown)" : " (the rows would not fit a quarter of memory)",
            buffer, (double)buffer * probe.RowBytes / 1e6, records is long r ? $"; {r:N0} records" : "");
        return (train, validation);
    }
}
