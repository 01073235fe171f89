using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.TfRecord;
using Streaming.Transform;
using Streaming.Storage;

namespace Streaming.Jobs;

/// <summary>The options both sides of the transform job share: the plan and where and how the shard is written.</summary>
public sealed class ShardOutputOptions
{
    public readonly Option<string> Plan = new("--plan") { Description = "The transform plan (_transform.json; shipped with -files)", DefaultValueFactory = _ => "_transform.json" };
    public readonly Option<string?> OutputDir = new("--output-dir") { Description = "Directory URI for the shard (default: the task's side-effect directory)" };
    public readonly Option<string?> WebHdfs = new("--webhdfs") { Description = "NameNode HTTP address(es) nn:9870[,nn2:9870]: write hdfs: shards with WebHDFS CREATE instead of 'hdfs dfs -put' (default: STREAMING_WEBHDFS)" };
    public readonly Option<int> GzipLevel = new("--gzip-level") { Description = "0 = store, 1 = fastest (default), 9 = smallest", DefaultValueFactory = _ => 1 };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Plan, OutputDir, WebHdfs, GzipLevel }) command.Options.Add(o);
    }

    public TransformPlan LoadPlan(ParseResult r) => TransformPlan.Load(r.GetValue(Plan)!);

    /// <summary>Options with the output settings filled in; the caller adds the rest with <c>with</c>.</summary>
    public TransformOptions Options(ParseResult r) =>
        new() { OutputDir = r.GetValue(OutputDir), Level = TfRecordCompressionExtensions.Level(r.GetValue(GzipLevel)) };

    /// <summary>
    /// The process's file systems: hdfs: shards and side-effect files through WebHDFS when NameNodes are named
    /// (--webhdfs, else STREAMING_WEBHDFS), else through the hdfs CLI; dispose it when the task is done.
    /// </summary>
    public FileSystemRouter OpenFileSystems(ParseResult r, ILoggerFactory logs) =>
        FileSystemRouter.ForProcess(logs.CreateLogger("webhdfs"), r.GetValue(WebHdfs));
}
