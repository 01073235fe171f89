using System.Text;
using Microsoft.Extensions.Logging;
using Streaming.Contract;
using Streaming.Csv;

namespace Streaming.Model;

/// <summary>
/// Batch scoring as a map-only streaming job (<c>mapper predict</c>): the model directory shipped with the job
/// (model.json + weights.bin, no libtorch) scores the task's CSV rows where they live. Output per row:
/// <c>offset\tprediction</c>, the offset being the row's byte offset in its input file (the key Hadoop's
/// TextInputFormat gives a line), so predictions join back to rows whatever the splits. A row the transform
/// rejects gets <c>offset\t</c> (empty prediction); malformed CSV lines are counted and quarantined in
/// <c>_rejects/</c> like every job's. The task fails (exit 1) when rejects exceed the threshold.
/// </summary>
public static class ScoreMapTask
{
    public static int Run(Stream input, Stream output, string modelDir, double maxBadFraction, TaskContext ctx, Reporter reporter, ILogger log)
    {
        var scorer = MlpScorer.Load(modelDir, out var meta);
        string source = $"{ctx.InputFile ?? "stdin"}@{ctx.InputStart}";
        using var rejects = new RejectedRows(reporter, log, maxBadFraction, source, SideEffectFiles.RejectsWriter(ctx));
        using var writer = new KeyValueWriter(output);
        var key = new byte[20];
        long scored = 0;
        var rows = new CsvPredictor(meta, d => scorer.Score(d)).Run(input, ctx.AtFileStart, rejects, reporter, p =>
        {
            if (p.Offset < 0) return;   // a malformed line: quarantined with its reason by the CSV reader
            (ctx.InputStart + p.Offset).TryFormat(key, out int n, default, System.Globalization.CultureInfo.InvariantCulture);
            writer.Write(key.AsSpan(0, n), p.Prediction is null ? default : Encoding.UTF8.GetBytes(p.Prediction));
            if (p.Prediction is not null) scored++;
        });
        writer.Flush();
        reporter.Increment(Counters.Group, Counters.RowsScored, scored);
        log.LogInformation("scored {Scored} of {Rows} rows of {Source} with the {Task} model in {Model}", scored, rows, source, meta.Spec.Task, modelDir);
        return ExitCodes.Ok;
    }
}
