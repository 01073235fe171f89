using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Contract;
using Streaming.Stats;
using Streaming.Validation;

namespace Streaming.Mapper;

/// <summary>
/// <c>mapper validate</c>: today's statistics against a schema and/or a baseline artifact. Exit 0 clean, 1 when an
/// anomaly or a drift above its threshold is found (what a cron job alerts on), 2 on bad configuration.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var stats = new Option<string>("--stats") { Description = "Today's statistics artifact (file or job output directory)", Required = true };
        var schema = new Option<string?>("--schema") { Description = "schema.json (from mapper schema, maybe edited)" };
        var baseline = new Option<string?>("--baseline") { Description = "A baseline statistics artifact to measure drift against" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write the JSON report (default: stdout)" };
        var cmd = new Command("validate", "Check statistics against a schema (anomalies) and a baseline (drift); exit 1 when any is found");
        foreach (var o in new Option[] { stats, schema, baseline, output }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("mapper.validate", (logs, _) =>
        {
            if (r.GetValue(schema) is null && r.GetValue(baseline) is null)
                throw new ConfigException("validate needs --schema, --baseline or both");
            var s = r.GetValue(schema) is { } sp ? Schema.Load(sp) : null;
            var b = r.GetValue(baseline) is { } bp ? StatsJson.ReadArtifact(bp, "--baseline") : null;
            var today = StatsJson.ReadArtifact(r.GetValue(stats)!, "--stats");
            var result = Validator.Run(today, s, b);
            var json = result.ToJson() + "\n";
            if (r.GetValue(output) is { } path) AtomicFile.WriteAllText(path, json); else Console.Out.Write(json);
            var log = logs.CreateLogger("mapper.validate");
            foreach (var line in result.Summary())
                if (result.Anomalies.Count > 0) log.LogWarning("{Line}", line); else log.LogInformation("{Line}", line);
            return result.Anomalies.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        }));
        return cmd;
    }
}
