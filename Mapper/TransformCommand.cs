using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Contract;
using Streaming.TfRecord;
using Streaming.Transform;
using Streaming.WebHdfs;

namespace Streaming.Mapper;

/// <summary><c>mapper transform</c>: job 2's map side (CSV rows → tf.train.Example shards or shuffle records).</summary>
internal static class TransformCommand
{
    public static readonly Option<string> Plan = new("--plan") { Description = "The transform plan (_transform.json; shipped with -files)", DefaultValueFactory = _ => "_transform.json" };
    public static readonly Option<string?> OutputDir = new("--output-dir") { Description = "Directory URI for the shard (default: the task's side-effect directory)" };
    public static readonly Option<string?> WebHdfs = new("--webhdfs") { Description = "NameNode HTTP address(es) nn:9870[,nn2:9870]: write hdfs: shards with WebHDFS CREATE instead of 'hdfs dfs -put' (default: STREAMING_WEBHDFS)" };
    public static readonly Option<int> GzipLevel = new("--gzip-level") { Description = "0 = store, 1 = fastest (default), 9 = smallest", DefaultValueFactory = _ => 1 };

    public static Command Create()
    {
        var shuffle = new Option<bool>("--shuffle") { Description = "Emit key\\tbase64 records for a global shuffle through the reducers" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the shuffle keys", DefaultValueFactory = _ => 1 };
        var maxBad = new Option<double>("--max-bad-fraction") { Description = "Fail the task when more than this share of its rows is rejected", DefaultValueFactory = _ => 0.01 };
        var cmd = new Command("transform", "Transform CSV rows on stdin into tf.train.Example records (TFRecord shard + manifest line)");
        foreach (var o in new Option[] { Plan, OutputDir, WebHdfs, GzipLevel, shuffle, seed, maxBad }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("mapper.transform", (logs, reporter) =>
        {
            var plan = TransformPlan.Load(r.GetValue(Plan)!);
            using var webhdfs = WebHdfsOutput.Configure(r.GetValue(WebHdfs), logs.CreateLogger("webhdfs"));
            var options = new TransformOptions
            {
                Shuffle = r.GetValue(shuffle), Seed = r.GetValue(seed), OutputDir = r.GetValue(OutputDir),
                MaxBadFraction = r.GetValue(maxBad), Level = TfRecordCompressionExtensions.Level(r.GetValue(GzipLevel)),
            };
            return TransformMapTask.Run(Console.OpenStandardInput(), Console.OpenStandardOutput(), plan, options,
                TaskContext.FromEnvironment(), reporter, logs.CreateLogger("mapper.transform"));
        }));
        return cmd;
    }
}
