using Streaming.Transform;
using System.Text;
using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.Model;
using Streaming.Hadoop;

namespace Streaming.Jobs;

/// <summary>
/// Batch scoring as a map-only streaming job (<c>mapper predict</c>): the model directory shipped with the job
/// (model.json + weights.bin, no libtorch) scores the task's CSV rows where they live. Output per row:
/// <c>START:N\tprediction</c>, START being the split's start offset in its file and N the row's index among the
/// split's rows, so part files in order give the input's rows in order and every key names its row. (Not the row's
/// byte offset: Hadoop hands a mapper CRLF lines without their CR, so the task cannot know it.) A rejected row gets
/// <c>rejected:Reason</c> instead of a prediction and is counted and quarantined in <c>_rejects/</c> like every job's.
/// Columns are matched by name (<c>--columns</c>, which the scoring script reads from the input's header). The task
/// fails (exit 1) when rejects exceed the threshold.
/// </summary>
public static class ScoreMapTask
{
    /// <param name="columns">The input's column names; null: its header line at file start, else the training order.</param>
    public static int Run(TaskAttempt task, string modelDir, IReadOnlyList<string>? columns, double maxBadFraction)
    {
        var (input, output, ctx, reporter, log) = task;
        var scorer = MlpScorer.Load(modelDir, out var meta);
        string source = $"{ctx.InputFile ?? "stdin"}@{ctx.InputStart}";
        using var rejects = new RejectedRows(reporter, log, maxBadFraction, source, SideEffectFiles.RejectsWriter(ctx, task.Files));
        using var writer = new KeyValueWriter(output);
        var prefix = Encoding.ASCII.GetBytes(ctx.InputStart.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":");
        var key = new byte[prefix.Length + 20];
        prefix.CopyTo(key, 0);
        long scored = 0;
        var rows = new CsvPredictor(meta, d => scorer.Score(d), log).Run(input, ctx.AtFileStart, columns, rejects, reporter, p =>
        {
            p.Row.TryFormat(key.AsSpan(prefix.Length), out int n, default, System.Globalization.CultureInfo.InvariantCulture);
            writer.Write(key.AsSpan(0, prefix.Length + n), Encoding.UTF8.GetBytes(p.Text));
            if (p.Prediction is not null) scored++;
        });
        writer.Flush();
        reporter.Increment(Counters.Group, Counters.RowsScored, scored);
        log.LogInformation("scored {Scored} of {Rows} rows of {Source} with the {Task} model in {Model}", scored, rows, source, meta.Spec.Task.Name(), modelDir);
        return ExitCodes.Ok;
    }
}
