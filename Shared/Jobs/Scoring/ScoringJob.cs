using System.CommandLine;
using Streaming.Core;
using Streaming.Csv;
using Streaming.Model;
using Streaming.Hadoop;

namespace Streaming.Jobs;

/// <summary>Batch scoring, map-only: <c>mapper predict</c> scores CSV rows with a trained model, without libtorch (hadoop-jobs/score.sh).</summary>
public static class ScoringJob
{
    /// <summary><c>mapper predict</c>: batch scoring's map side (CSV rows on stdin → <c>input_file\tsplit_start\trow\tprediction…</c>), no libtorch.</summary>
    public static Command Mapper()
    {
        var model = new Option<string>("--model") { Description = "Model directory (model.json + weights.bin), e.g. shipped with -archives model.tgz#model", DefaultValueFactory = _ => "model" };
        var maxBad = CsvInputOptions.MaxBadFractionOption();
        var columns = new Option<string?>("--columns") { Description = "The input's column names, comma-separated (default: its header line at file start, else the training order)" };
        var idColumns = new Option<string?>("--id-columns") { Description = "Input columns a,b whose values follow the prediction on each line (to join predictions back to rows)" };
        var keepInput = new Option<bool>("--keep-input") { Description = "End each line with the input line itself" };
        var schema = new Option<bool>("--schema") { Description = "Print the output's schema (_schema.json: columns, what the prediction is) for these options and exit" };
        var cmd = new Command("predict", "Score CSV rows on stdin with a trained model (one 'input_file<TAB>split_start<TAB>row<TAB>prediction' line per row)");
        foreach (var o in new Option[] { model, maxBad, columns, idColumns, keepInput, schema }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("mapper.predict", (logs, reporter) =>
        {
            if (r.GetValue(maxBad) is < 0 or > 1) throw new ConfigException("--max-bad-fraction must be in [0, 1]");
            var names = r.GetValue(columns) is { } c ? c.Split(',').Select(n => n.Trim()).ToArray() : null;
            if (names is not null && names.Any(string.IsNullOrEmpty))
                throw new ConfigException($"--columns must be non-empty names, got '{r.GetValue(columns)}'");
            if (names is not null && CsvOptions.DuplicateColumn(names) is { } duplicate) throw new ConfigException($"--columns: {duplicate}");
            var ids = CsvOptions.ParseList(r.GetValue(idColumns)) ?? [];
            if (CsvOptions.DuplicateColumn(ids) is { } dupId) throw new ConfigException($"--id-columns: {dupId}");
            if (names is not null && ids.FirstOrDefault(i => !names.Contains(i)) is { } unknown)
                throw new ConfigException($"--id-columns: '{unknown}' is not a column of the input (its columns: {string.Join(",", names)})");
            var output = new ScoreColumns(ids, r.GetValue(keepInput));
            if (r.GetValue(schema))
            {
                MlpScorer.Load(r.GetValue(model)!, out var meta);
                Console.Out.Write(ScoreMapTask.Schema(meta, output));
                return ExitCodes.Ok;
            }
            return ScoreMapTask.Run(TaskAttempt.OfProcess(reporter, logs.CreateLogger("mapper.predict")), r.GetValue(model)!, names, r.GetValue(maxBad), output);
        }));
        return cmd;
    }
}
