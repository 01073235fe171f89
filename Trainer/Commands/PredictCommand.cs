using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Streaming.Contract;
using Streaming.Csv;
using Streaming.Trainer.Compute;
using Streaming.Trainer.Data;
using Streaming.Trainer.Model;
using Streaming.Trainer.Training;
using Streaming.Transform;

namespace Streaming.Trainer.Commands;

/// <summary>
/// <c>trainer predict</c>: raw CSV in, one prediction a line out, through the model's own transform plan (the
/// same code the transform job runs). Regression: the value; binary: P(second class); multiclass: the class.
/// A row that cannot be transformed gives an empty line (so line N answers row N) and is counted and logged.
/// </summary>
public static class PredictCommand
{
    public const int Chunk = 4096;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Required = true };
        var input = new Option<string>("--input") { Description = "CSV file, or - for stdin", DefaultValueFactory = _ => "-" };
        var output = new Option<string>("--output") { Description = "File, or - for stdout", DefaultValueFactory = _ => "-" };
        var maxBad = new Option<double>("--max-bad-fraction") { DefaultValueFactory = _ => 0.01 };
        var cmd = new Command("predict", "Predict for raw CSV rows with the model's transform plan");
        foreach (var o in new Option[] { model, input, output, maxBad }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("trainer.predict", (logs, reporter) =>
        {
            var log = logs.CreateLogger("trainer");
            var (meta, net) = ModelFile.Load(r.GetValue(model)!, new CpuBackend());
            var inPath = r.GetValue(input)!;
            using var inStream = inPath == "-" ? Console.OpenStandardInput() : File.OpenRead(inPath);
            var outPath = r.GetValue(output)!;
            using var outStream = outPath == "-" ? Console.OpenStandardOutput() : File.Create(outPath);
            using var writer = new StreamWriter(outStream, new System.Text.UTF8Encoding(false), 1 << 16);
            long n = Predict(meta, net, inStream, writer, r.GetValue(maxBad), reporter, log);
            log.LogInformation("predicted {Rows} rows", n);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    public static long Predict(ModelFile meta, TabularMlp net, Stream csv, TextWriter output, double maxBadFraction, Reporter reporter, ILogger log)
    {
        var plan = meta.Plan;
        var layout = new FeatureLayout(plan);
        // Predicting needs no label: transform without it.
        var noLabel = TransformPlan.FromJson(plan.ToJson());
        noLabel.Label = null;
        var transformer = new RowTransformer(noLabel);
        var decoder = new ExampleDecoder(layout, requireLabel: false);
        using var lines = new LineReader(csv, plan.Csv.MaxLineBytes);
        using var rejects = new RejectedRows(reporter, log, maxBadFraction, "predict input");
        var reader = new CsvRowReader(lines, plan.ToCsvOptions(), atFileStart: true, rejects, reporter);
        var chunk = new Dataset(layout.NumericWidth, layout.IndexSlots.Count);
        var slots = new List<bool>();   // per data row: has a prediction
        long written = 0;

        void Flush()
        {
            var scores = chunk.Count > 0 ? Scorer.Score(net, chunk) : [];
            int k = 0;
            foreach (var ok in slots)
            {
                if (ok) { output.WriteLine(Format(meta, scores, k)); k++; }
                else output.WriteLine();
            }
            written += slots.Count;
            slots.Clear();
            chunk = new Dataset(layout.NumericWidth, layout.IndexSlots.Count);
        }

        while (reader.TryRead(out var row))
        {
            while (written + slots.Count < reader.RowsRead - 1) slots.Add(false);  // rows the CSV reader rejected
            if (transformer.Transform(row, out var example, out var detail) == RowOutcome.Ok)
            {
                chunk.Next(out var num, out var idx);
                decoder.Decode(example, num, idx, out _);
                chunk.Commit(0, reader.RowsRead);
                slots.Add(true);
            }
            else
            {
                rejects.Reject(RejectReason.BadValue, reader.RawLine, reader.LineNumber, detail);
                slots.Add(false);
            }
            if (slots.Count >= Chunk) Flush();
        }
        while (written + slots.Count < reader.RowsRead) slots.Add(false);
        Flush();
        output.Flush();
        rejects.CheckThreshold(reader.RowsRead);
        return written;
    }

    private static string Format(ModelFile meta, double[] scores, int k) => meta.Spec.Kind switch
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
