using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Contract;
using Streaming.Transform;
using Streaming.Csv;

namespace Streaming.Mapper;

/// <summary><c>mapper transform</c>: job 2's map side (CSV rows → tf.train.Example shards or shuffle records).</summary>
internal static class TransformCommand
{
    public static Command Create()
    {
        var output = new ShardOutputCommandLine();
        var shuffle = new Option<bool>("--shuffle") { Description = "Emit key\\tbase64 records for a global shuffle through the reducers" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the shuffle keys", DefaultValueFactory = _ => 1 };
        var maxBad = CsvCommandLine.MaxBadFractionOption();
        var cmd = new Command("transform", "Transform CSV rows on stdin into tf.train.Example records (TFRecord shard + manifest line)");
        output.AddTo(cmd);
        foreach (var o in new Option[] { shuffle, seed, maxBad }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("mapper.transform", (logs, reporter) =>
        {
            var plan = output.LoadPlan(r);
            using var webhdfs = output.WebHdfsClient(r, logs);
            var options = output.Options(r) with { Remote = webhdfs, Shuffle = r.GetValue(shuffle), Seed = r.GetValue(seed), MaxBadFraction = r.GetValue(maxBad) };
            return TransformMapTask.Run(StandardStreams.Input(), StandardStreams.Output(), plan, options,
                TaskContext.FromEnvironment(), reporter, logs.CreateLogger("mapper.transform"));
        }));
        return cmd;
    }
}
