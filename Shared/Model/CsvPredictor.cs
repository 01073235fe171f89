using System.Globalization;
using Streaming.Contract;
using Streaming.Csv;
using Streaming.Data;
using Streaming.Transform;

namespace Streaming.Model;

/// <summary>One input row's answer: its position, its byte offset in the input (-1 when the CSV reader rejected it), its prediction (null when rejected).</summary>
public readonly record struct RowPrediction(long Row, long Offset, string? Prediction);

/// <summary>
/// Raw CSV rows → predictions, through the model's own transform plan (the same <see cref="RowTransformer"/> the
/// transform job runs, without the label) and a scoring function (the libtorch-free <see cref="MlpScorer"/>, or the
/// trainer's TorchSharp model). Rows are scored in chunks; every row gets one <see cref="RowPrediction"/>, in input
/// order. Regression: the value; binary: P(second class); multiclass: the class name.
/// </summary>
public sealed class CsvPredictor(ModelFile meta, Func<Dataset, double[]> score)
{
    public const int Chunk = 4096;

    public long Run(Stream csv, bool atFileStart, RejectedRows rejects, Reporter reporter, Action<RowPrediction> emit)
    {
        var plan = meta.Plan;
        var layout = new FeatureLayout(plan);
        var noLabel = plan.WithoutLabel();
        var transformer = new RowTransformer(noLabel);
        var decoder = new ExampleDecoder(layout, requireLabel: false);
        using var lines = new LineReader(csv, plan.Csv.MaxLineBytes);
        var reader = new CsvRowReader(lines, plan.ToCsvOptions(), atFileStart, rejects, reporter);
        var chunk = new Dataset(layout.NumericWidth, layout.IndexSlots.Count);
        var pending = new List<(long Row, long Offset, bool Scored)>();
        long emitted = 0;

        void Flush()
        {
            var scores = chunk.Count > 0 ? score(chunk) : [];
            int k = 0;
            foreach (var (row, offset, scored) in pending)
                emit(new RowPrediction(row, offset, scored ? Format(scores, k++) : null));
            emitted += pending.Count;
            pending.Clear();
            chunk = new Dataset(layout.NumericWidth, layout.IndexSlots.Count);
        }

        void Gap(long upTo)
        {
            // Rows the CSV reader rejected (counted and quarantined there) still get their line.
            for (long r = emitted + pending.Count; r < upTo; r = emitted + pending.Count) pending.Add((r, -1, false));
        }

        while (reader.TryRead(out var row))
        {
            Gap(reader.RowsRead - 1);
            long offset = lines.LineOffset;
            if (transformer.Transform(row, out var example, out var detail) == RowOutcome.Ok)
            {
                chunk.Next(out var num, out var idx);
                decoder.Decode(example, num, idx, out _);
                chunk.Commit(0, reader.RowsRead - 1);
                pending.Add((reader.RowsRead - 1, offset, true));
            }
            else
            {
                rejects.Reject(RejectReason.BadValue, reader.RawLine, reader.LineNumber, detail);
                pending.Add((reader.RowsRead - 1, offset, false));
            }
            if (pending.Count >= Chunk) Flush();
        }
        Gap(reader.RowsRead);
        Flush();
        rejects.CheckThreshold(reader.RowsRead);
        return emitted;
    }

    private string Format(double[] scores, int k) => Format(meta, scores, k);

    /// <summary>Row k of a score array as printed: the value, P(class 1), or the most probable class.</summary>
    public static string Format(ModelFile meta, double[] scores, int k) => meta.Spec.Kind switch
    {
        TaskKind.Regression => scores[k].ToString("R", CultureInfo.InvariantCulture),
        TaskKind.Binary => scores[k].ToString("0.######", CultureInfo.InvariantCulture),
        _ => meta.Plan.Label!.Classes![ArgMax(scores.AsSpan(k * meta.Spec.Outputs, meta.Spec.Outputs))],
    };

    private static int ArgMax(ReadOnlySpan<double> p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }
}
