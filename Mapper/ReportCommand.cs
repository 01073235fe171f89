using System.CommandLine;
using Streaming.Contract;
using Streaming.Stats;
using Streaming.Validation;

namespace Streaming.Mapper;

/// <summary><c>mapper report</c>: statistics (and a baseline, a validation) → one self-contained report.html.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var stats = new Option<string>("--stats") { Description = "Statistics artifact (file or job output directory)", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "A baseline statistics artifact, overlaid (drift distances computed when no --validation)" };
        var validation = new Option<string?>("--validation") { Description = "A report from mapper validate: its anomalies and distances are shown" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write report.html", Required = true };
        var title = new Option<string?>("--title") { Description = "Page title (default: the statistics path)" };
        var cmd = new Command("report", "Write the statistics as one self-contained HTML page (histograms, top values, drift, anomalies)");
        foreach (var o in new Option[] { stats, baseline, validation, output, title }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("mapper.report", (_, _) =>
        {
            var b = r.GetValue(baseline) is { } bp ? StatsJson.ReadArtifact(bp, "--baseline") : null;
            Validator? v = null;
            if (r.GetValue(validation) is { } vp)
                v = File.Exists(vp) ? Validator.FromJson(File.ReadAllText(vp), vp) : throw new ConfigException($"--validation {vp}: no such file");
            var today = StatsJson.ReadArtifact(r.GetValue(stats)!, "--stats");
            if (v is null && b is not null) v = Validator.Run(today, null, b);
            AtomicFile.WriteAllText(r.GetValue(output)!, StatsReport.Html(today, b, v, r.GetValue(title) ?? $"Statistics: {r.GetValue(stats)}"));
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
