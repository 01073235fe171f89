using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Contract;
using Streaming.TfRecord;
using Streaming.Transform;
using Streaming.WebHdfs;

namespace Streaming.Reducer;

/// <summary><c>reducer transform</c>: job 2's reduce side with --shuffle (shuffled records → one shard per reducer).</summary>
internal static class TransformCommand
{
    public static Command Create()
    {
        var plan = new Option<string>("--plan") { Description = "The transform plan (_transform.json)", DefaultValueFactory = _ => "_transform.json" };
        var outputDir = new Option<string?>("--output-dir") { Description = "Directory URI for the shard (default: the task's side-effect directory)" };
        var webhdfs = new Option<string?>("--webhdfs") { Description = "NameNode HTTP address(es): write hdfs: shards with WebHDFS CREATE (default: STREAMING_WEBHDFS)" };
        var level = new Option<int>("--gzip-level") { Description = "0..9", DefaultValueFactory = _ => 1 };
        var cmd = new Command("transform", "Write shuffled key\\tbase64 Examples (stdin) into this reducer's TFRecord shard");
        cmd.Options.Add(plan);
        cmd.Options.Add(outputDir);
        cmd.Options.Add(level);
        cmd.Options.Add(webhdfs);
        cmd.SetAction(r => TaskHost.Execute("reducer.transform", (logs, reporter) =>
        {
            using var client = WebHdfsOutput.Configure(r.GetValue(webhdfs), logs.CreateLogger("webhdfs"));
            var options = new TransformOptions { OutputDir = r.GetValue(outputDir), Level = TfRecordCompressionExtensions.Level(r.GetValue(level)) };
            return TransformReduceTask.Run(Console.OpenStandardInput(), Console.OpenStandardOutput(), TransformPlan.Load(r.GetValue(plan)!),
                options, TaskContext.FromEnvironment(), reporter, logs.CreateLogger("reducer.transform"));
        }));
        return cmd;
    }
}
