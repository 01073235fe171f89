using Streaming.Transform;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.Model;
using Streaming.Hadoop;

namespace Streaming.Jobs;

/// <summary>
/// Batch scoring as a map-only streaming job (<c>mapper predict</c>): the model directory shipped with the job
/// (model.json + weights.bin, no libtorch) scores the task's CSV rows where they live. Output per row (TAB-separated,
/// <see cref="Schema"/>): <c>input_file, split_start, row, prediction</c>, then the <c>--id-columns</c> values and
/// the input line (<c>--keep-input</c>). The input file (Hadoop's <c>mapreduce_map_input_file</c>), the split's start
/// offset and the row's index among the split's rows name every row unambiguously, in any directory of inputs, and
/// the same way in a retried attempt (a job's splits are fixed); sorted by them, the lines are in the input's order.
/// (Not the row's byte offset: Hadoop hands a mapper CRLF lines without their CR, so the task cannot know it.) A
/// rejected row gets <c>rejected:Reason</c> instead of a prediction and is counted and quarantined in
/// <c>_rejects/</c> like every job's. Columns are matched by name (<c>--columns</c>, which the scoring script reads
/// from the input's header). The task fails (exit 1) when rejects exceed the threshold.
/// </summary>
public static class ScoreMapTask
{
    /// <param name="columns">The input's column names; null: its header line at file start, else the training order.</param>
    public static int Run(TaskAttempt task, string modelDir, IReadOnlyList<string>? columns, double maxBadFraction, ScoreColumns output)
    {
        var (input, stdout, ctx, reporter, log) = task;
        var scorer = MlpScorer.Load(modelDir, out var meta);
        string source = $"{ctx.InputFile ?? "stdin"}@{ctx.InputStart}";
        using var rejects = new RejectedRows(reporter, log, maxBadFraction, source, SideEffectFiles.RejectsWriter(ctx, task.Files));
        using var writer = new KeyValueWriter(stdout);
        // The key: input file, split start, row (TextOutputFormat writes it, a TAB, the value).
        var prefix = Encoding.UTF8.GetBytes(FormattableString.Invariant($"{ctx.InputFile ?? "stdin"}\t{ctx.InputStart}\t"));
        var key = new byte[prefix.Length + 20];
        prefix.CopyTo(key, 0);
        long scored = 0;
        var rows = new CsvPredictor(meta, d => scorer.Score(d), log).Run(input, ctx.AtFileStart, columns, rejects, reporter, p =>
        {
            p.Row.TryFormat(key.AsSpan(prefix.Length), out int n, default, System.Globalization.CultureInfo.InvariantCulture);
            writer.Write(key.AsSpan(0, prefix.Length + n), Encoding.UTF8.GetBytes(p.Extra is null ? p.Text : p.Text + p.Extra));
            if (p.Prediction is not null) scored++;
        }, output);
        writer.Flush();
        reporter.Increment(Counters.Group, Counters.RowsScored, scored);
        log.LogInformation("scored {Scored} of {Rows} rows of {Source} with the {Task} model in {Model}", scored, rows, source, meta.Spec.Task.Name(), modelDir);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The output's schema (<c>_schema.json</c> beside the part files, written by hadoop-jobs/score.sh): its columns in
    /// order and what the prediction is for this model (the value, P(class), or the class).
    /// </summary>
    public static string Schema(ModelFile meta, ScoreColumns output)
    {
        var label = meta.Plan.Label;
        string prediction = meta.Spec.Task switch
        {
            TaskKind.Regression => $"the predicted value of '{label?.Name}'",
            TaskKind.Binary => $"P({label?.Name} = '{label?.Classes?[1]}'), the probability of the second class (of {string.Join(", ", (label?.Classes ?? []).Select(c => $"'{c}'"))})",
            _ => $"the most probable class of '{label?.Name}' ({string.Join(", ", (label?.Classes ?? []).Select(c => $"'{c}'"))})",
        };
        var names = new List<string> { "input_file", "split_start", "row", "prediction" };
        names.AddRange(output.IdColumns.Select(c => "id:" + c));
        if (output.KeepInput) names.Add("input_line");
        var columns = new JsonArray([.. names.Select(n => (JsonNode?)JsonValue.Create(n))]);
        return new JsonObject
        {
            ["format"] = "TAB-separated, one line per input row, in part files; sorted by (input_file, split_start, row) the lines are in the input's order",
            ["columns"] = columns,
            ["input_file"] = "the input file (Hadoop's mapreduce_map_input_file)",
            ["split_start"] = "the byte offset in it where the map task's split starts",
            ["row"] = "the row's index among the split's rows (0-based, header excluded)",
            ["prediction"] = prediction + "; 'rejected:REASON' for a row that could not be scored (see _rejects/)",
            ["id_escapes"] = "in id: values a TAB, newline, CR and backslash are written \\t, \\n, \\r, \\\\",
            ["task"] = meta.Spec.Task.Name(),
            ["label"] = label?.Name,
            ["classes"] = label?.Classes is { } cl ? new JsonArray([.. cl.Select(c => (JsonNode?)JsonValue.Create(c))]) : null,
            ["model_trained_on"] = meta.TrainedOn,
        }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
