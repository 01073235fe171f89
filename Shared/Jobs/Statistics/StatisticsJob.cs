using Microsoft.Extensions.Logging;
using System.CommandLine;
using Streaming.Core;
using Streaming.Csv;
using Streaming.Stats;
using Streaming.Hadoop;

namespace Streaming.Jobs;

/// <summary>Job 1, column statistics: <c>mapper stats</c> → <c>reducer stats</c> as combiner and reducer (hadoop-jobs/column-stats.sh submits it; its tasks are in StatsTasks.cs).</summary>
public static class StatisticsJob
{
    /// <summary><c>mapper stats</c>: job 1's map side.</summary>
    public static Command Mapper()
    {
        var csv = new CsvInputOptions();
        var categorical = new Option<string?>("--categorical") { Description = "Columns to treat as categorical even when numeric (a,b)" };
        var topCapacity = new Option<int>("--top-capacity") { Description = "Distinct values tracked exactly per column before switching to heavy hitters", DefaultValueFactory = _ => FrequentValues.DefaultCapacity };
        // Auto by default: under Hadoop the container's vcores (cgroups CPU shares do not show in the core count, the
        // job configuration does), in a plain pipe every core.
        var threads = new Option<int>("--threads") { Description = "Worker threads (default 0 = auto: mapreduce.map.cpu.vcores under Hadoop, 1 unless set; every core in a plain pipe)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("stats", "Column statistics of CSV rows on stdin; one partial per column on stdout");
        csv.AddTo(cmd);
        cmd.Options.Add(categorical);
        cmd.Options.Add(topCapacity);
        cmd.Options.Add(threads);
        cmd.SetAction(r => TaskHost.Execute("mapper.stats", (logs, reporter) =>
        {
            var options = csv.Build(r);
            int cap = r.GetValue(topCapacity);
            if (cap < 1) throw new ConfigException("--top-capacity must be at least 1");
            if (r.GetValue(threads) < 0) throw new ConfigException("--threads must be 0 (auto) or more");
            var task = TaskAttempt.OfProcess(reporter, logs.CreateLogger("mapper.stats"));
            var stats = new StatsOptions(CsvOptions.ParseList(r.GetValue(categorical)) ?? [], cap, r.GetValue(csv.MaxBadFraction),
                r.GetValue(threads) is > 0 and var t ? t : task.Context.DefaultThreads);
            return StatsMapTask.Run(task, options, stats);
        }));
        return cmd;
    }

    /// <summary><c>reducer stats</c>: job 1's combiner and reducer.</summary>
    public static Command Reducer()
    {
        var cmd = new Command("stats", "Merge partial column statistics (combiner and reducer of the statistics job)");
        cmd.SetAction(r => TaskHost.Execute("reducer.stats", (logs, reporter) =>
            StatsReduceTask.Run(TaskAttempt.OfProcess(reporter, logs.CreateLogger("reducer.stats")))));
        return cmd;
    }
}
