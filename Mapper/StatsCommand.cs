using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Csv;
using Streaming.Stats;
using Streaming.Contract;

namespace Streaming.Mapper;

/// <summary><c>mapper stats</c>: job 1's map side.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var csv = new CsvCommandLine();
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
            var stats = new StatsOptions(CsvOptions.ParseList(r.GetValue(categorical)) ?? [], cap);
            if (r.GetValue(threads) < 0) throw new ConfigException("--threads must be 0 (auto) or more");
            var ctx = TaskContext.FromEnvironment();
            return StatsMapTask.Run(StandardStreams.Input(), StandardStreams.Output(), options, stats,
                r.GetValue(csv.MaxBadFraction), ctx, reporter, logs.CreateLogger("mapper.stats"),
                r.GetValue(threads) is > 0 and var t ? t : ctx.DefaultThreads);
        }));
        return cmd;
    }
}
