using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Contract;
using Streaming.Transform;

namespace Streaming.Reducer;

/// <summary><c>reducer transform</c>: job 2's reduce side with --shuffle (shuffled records → one shard per reducer).</summary>
internal static class TransformCommand
{
    public static Command Create()
    {
        var output = new ShardOutputCommandLine();
        var cmd = new Command("transform", "Write shuffled key\\tbase64 Examples (stdin) into this reducer's TFRecord shard");
        output.AddTo(cmd);
        cmd.SetAction(r => TaskHost.Execute("reducer.transform", (logs, reporter) =>
        {
            using var webhdfs = output.WebHdfsClient(r, logs);
            return TransformReduceTask.Run(StandardStreams.Input(), StandardStreams.Output(), output.LoadPlan(r),
                output.Options(r) with { Remote = webhdfs }, TaskContext.FromEnvironment(), reporter, logs.CreateLogger("reducer.transform"));
        }));
        return cmd;
    }
}
