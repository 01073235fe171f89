using Microsoft.Extensions.Logging;
using System.CommandLine;
using Streaming.Core;
using Streaming.Validation;
using Streaming.Hadoop;

namespace Streaming.Jobs;

/// <summary>Data validation on a statistics artifact: <c>mapper schema</c> infers a schema, <c>mapper validate</c> checks against it and a baseline, <c>mapper report</c> draws it all (hadoop-jobs/pipeline.sh runs them between job 1 and job 2).</summary>
public static class ValidationJob
{
    /// <summary><c>mapper schema</c>: a statistics artifact → the schema it satisfies (JSON, to keep and edit).</summary>
    public static Command InferSchema()
    {
        var stats = new Option<string>("--stats") { Description = "Statistics artifact: a file, or a job output directory (part-* files)", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write schema.json (default: stdout)" };
        var cmd = new Command("schema", "Infer a data schema (kinds, missing fractions, ranges, domains, drift thresholds) from statistics");
        cmd.Options.Add(stats);
        cmd.Options.Add(output);
        cmd.SetAction(r => TaskHost.Execute("mapper.schema", (_, _) =>
        {
            var json = Schema.Infer(StatisticsArtifact.Read(r.GetValue(stats)!, "--stats")).ToJson() + "\n";
            if (r.GetValue(output) is { } path) AtomicFile.WriteAllText(path, json); else Console.Out.Write(json);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>
    /// <c>mapper validate</c>: today's statistics against a schema and/or a baseline artifact. Exit 0 clean, 1 when an
    /// anomaly or a drift above its threshold is found (what a cron job alerts on), 2 on bad configuration.
    /// </summary>
    public static Command Validate()
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
            var b = r.GetValue(baseline) is { } bp ? StatisticsArtifact.Read(bp, "--baseline") : null;
            var today = StatisticsArtifact.Read(r.GetValue(stats)!, "--stats");
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

    /// <summary><c>mapper report</c>: statistics (and a baseline, a validation) → one self-contained report.html.</summary>
    public static Command Report()
    {
        var stats = new Option<string>("--stats") { Description = "Statistics artifact (file or job output directory)", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "A baseline statistics artifact, overlaid (drift distances computed when no --validation)" };
        var validation = new Option<string?>("--validation") { Description = "A report from mapper validate: its anomalies and distances are shown" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write report.html", Required = true };
        var title = new Option<string?>("--title") { Description = "Page title (default: the statistics path)" };
        var label = new Option<string?>("--label") { Description = "The label column: its row is marked and gets a table of its classes (count, share, the baseline's share)" };
        var cmd = new Command("report", "Write the statistics as one self-contained HTML page (histograms, top values, drift, anomalies)");
        foreach (var o in new Option[] { stats, baseline, validation, output, title, label }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("mapper.report", (_, _) =>
        {
            var b = r.GetValue(baseline) is { } bp ? StatisticsArtifact.Read(bp, "--baseline") : null;
            Validator? v = null;
            if (r.GetValue(validation) is { } vp)
                v = File.Exists(vp) ? Validator.FromJson(File.ReadAllText(vp), vp) : throw new ConfigException($"--validation {vp}: no such file");
            var today = StatisticsArtifact.Read(r.GetValue(stats)!, "--stats");
            if (r.GetValue(label) is { } l && today.All(c => c.Name != l))
                throw new ConfigException("label", $"names column '{l}', which is not in the statistics (columns: {string.Join(",", today.Select(c => c.Name))})");
            if (v is null && b is not null) v = Validator.Run(today, null, b);
            AtomicFile.WriteAllText(r.GetValue(output)!, StatsReport.Html(today, b, v, r.GetValue(title) ?? $"Statistics: {r.GetValue(stats)}", r.GetValue(label)));
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
