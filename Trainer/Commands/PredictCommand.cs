using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Streaming.Trainer.Training;
using Streaming.Core;
using Streaming.Storage;
using Streaming.Hadoop;
using Streaming.Jobs;

namespace Streaming.Trainer.Commands;

/// <summary>
/// <c>trainer predict</c>: raw CSV in, one prediction a line out, through the model's own transform plan (see
/// <see cref="CsvPredictor"/>: columns matched by header name); a row that cannot be scored gives a
/// <c>rejected:Reason</c> line (line N answers row N) and is counted and logged. With <c>--data</c>, one prediction per record of a TFRecord set, in shard order. The default
/// engine is the libtorch-free scorer; <c>--engine libtorch</c> runs the TorchSharp network (on <c>--device</c>).
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Required = true };
        var input = new Option<string>("--input") { Description = "CSV file, or - for stdin", DefaultValueFactory = _ => "-" };
        var data = new Option<string?>("--data") { Description = "Instead of CSV: TFRecord shards (directory or webhdfs:// URI) made with the model's plan" };
        var output = new Option<string>("--output") { Description = "File, or - for stdout", DefaultValueFactory = _ => "-" };
        var maxBad = CsvInputOptions.MaxBadFractionOption();
        var delimiter = new Option<string?>("--delimiter") { Description = "The input's field delimiter when it differs from the training data's: one character or tab|comma|semicolon|pipe (default: the model's)" };
        var format = new Option<string>("--output-format") { Description = "plain (one value a line, line N answers row N), or with a header naming each column: tsv, csv (row, prediction, rejected) or jsonl", DefaultValueFactory = _ => "plain" };
        var engine = new Option<string>("--engine") { Description = "native (no libtorch) or libtorch", DefaultValueFactory = _ => "native" };
        var device = new Option<string>("--device") { Description = "With --engine libtorch: auto, cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int>("--threads") { Description = "With --engine libtorch: CPU threads", DefaultValueFactory = _ => 0 };
        var allowMissing = DataSources.AllowMissingManifestOption();
        var kerberos = new DataSources.KerberosOptions();
        var libtorch = TorchDevice.LibTorchOption();
        var cmd = new Command("predict", "Predict for raw CSV rows (or TFRecord shards) with the model's transform plan");
        foreach (var o in new Option[] { model, input, data, output, format, maxBad, delimiter, engine, device, threads, allowMissing }) cmd.Options.Add(o);
        kerberos.AddTo(cmd);
        cmd.Options.Add(libtorch);
        cmd.SetAction(r => TaskHost.Execute("trainer.predict", (logs, reporter) =>
        {
            kerberos.Apply(r);
            TorchDevice.ApplyLibTorch(r, libtorch);
            var log = logs.CreateLogger("trainer");
            ModelEngine.ValidateEngine(r.GetValue(engine)!);
            var outputFormat = PredictionOutput.Parse(r.GetValue(format)!);
            if (r.GetValue(engine) == "libtorch") TorchDevice.Validate(r.GetValue(device)!);
            if (r.GetValue(maxBad) is < 0 or > 1) throw new ConfigException("--max-bad-fraction must be in [0, 1]");
            byte? inputDelimiter = r.GetValue(delimiter) is { } dl ? Csv.CsvOptions.ParseDelimiter(dl) : null;
            if (inputDelimiter is not null && r.GetValue(data) is not null) throw new ConfigException("--delimiter applies to CSV input, not to --data shards");
            var inPath = r.GetValue(input)!;
            if (inPath != "-" && !File.Exists(inPath)) throw new ConfigException($"--input {inPath}: no such file");
            using var scoring = ModelEngine.Open(r.GetValue(model)!, r.GetValue(engine)!, r.GetValue(device)!, r.GetValue(threads), log);
            var outPath = r.GetValue(output)!;
            // A file output is a pending output (temporary name, renamed on commit): a refused or failed run leaves no
            // file that looks like predictions.
            long n, rejected = 0;
            using var pending = outPath == "-" ? null
                : LocalFileSystem.Instance.Create(Path.GetDirectoryName(Path.GetFullPath(outPath))!, Path.GetFileName(outPath));
            using (var writer = new StreamWriter(pending ?? Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: pending is not null))
            {
                var answers = new PredictionOutput(writer, outputFormat, scoring.Meta);
                if (r.GetValue(data) is { } shards)
                {
                    var set = EvaluateCommand.OpenShards(shards, r.GetValue(allowMissing), scoring.Meta, log);
                    long written = 0;
                    scoring.ScoreBatches(set, (b, scores) =>
                    {
                        for (int i = 0; i < b.Size; i++) answers.Write(written + i, CsvPredictor.Format(scoring.Meta, scores, i), null);
                        written += b.Size;
                    });
                    n = written;
                }
                else
                {
                    using var inStream = inPath == "-" ? Console.OpenStandardInput() : File.OpenRead(inPath);
                    using var rejects = new RejectedRows(reporter, log, r.GetValue(maxBad), inPath == "-" ? "stdin" : inPath);
                    n = new CsvPredictor(scoring.Meta, scoring.Score, log, inputDelimiter).Run(inStream, atFileStart: true, inputColumns: null, rejects, reporter,
                        p => { answers.Write(p.Row, p.Prediction, p.Rejected?.ToString()); if (p.Prediction is null) rejected++; });
                }
                writer.Flush();
                pending?.Commit();
            }
            log.LogInformation("predicted {Rows:N0} rows{Rejected}", n - rejected, rejected > 0 ? $" ({rejected:N0} more rejected: their lines say why)" : "");
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
