using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Stats;
using Streaming.Contract;

namespace Streaming.Reducer;

/// <summary><c>reducer stats</c>: job 1's combiner and reducer.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var cmd = new Command("stats", "Merge partial column statistics (combiner and reducer of the statistics job)");
        cmd.SetAction(r => TaskHost.Execute("reducer.stats", (logs, reporter) =>
            StatsReduceTask.Run(StandardStreams.Input(), StandardStreams.Output(), reporter, logs.CreateLogger("reducer.stats"))));
        return cmd;
    }
}
