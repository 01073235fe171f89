using System.CommandLine;
using Streaming.Core;
using Streaming.Hadoop;

namespace Streaming.Jobs;

/// <summary>Batch scoring, map-only: <c>mapper predict</c> scores CSV rows with a trained model, without libtorch (hadoop-jobs/score.sh).</summary>
public static class ScoringJob
{
    /// <summary><c>mapper predict</c>: batch scoring's map side (CSV rows on stdin → <c>START:N\tprediction</c>), no libtorch.</summary>
    public static Command Mapper()
    {
        var model = new Option<string>("--model") { Description = "Model directory (model.json + weights.bin), e.g. shipped with -archives model.tgz#model", DefaultValueFactory = _ => "model" };
        var maxBad = CsvInputOptions.MaxBadFractionOption();
        var columns = new Option<string?>("--columns") { Description = "The input's column names, comma-separated (default: its header line at file start, else the training order)" };
        var cmd = new Command("predict", "Score CSV rows on stdin with a trained model (one 'START:N<TAB>prediction' line per row)");
        cmd.Options.Add(model);
        cmd.Options.Add(maxBad);
        cmd.Options.Add(columns);
        cmd.SetAction(r => TaskHost.Execute("mapper.predict", (logs, reporter) =>
        {
            if (r.GetValue(maxBad) is < 0 or > 1) throw new ConfigException("--max-bad-fraction must be in [0, 1]");
            var names = r.GetValue(columns) is { } c ? c.Split(',').Select(n => n.Trim()).ToArray() : null;
            if (names is not null && (names.Any(string.IsNullOrEmpty) || names.Distinct().Count() != names.Length))
                throw new ConfigException($"--columns must be distinct non-empty names, got '{r.GetValue(columns)}'");
            return ScoreMapTask.Run(TaskAttempt.OfProcess(reporter, logs.CreateLogger("mapper.predict")), r.GetValue(model)!, names, r.GetValue(maxBad));
        }));
        return cmd;
    }
}
