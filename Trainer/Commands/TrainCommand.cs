using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Contract;
using Streaming.TfRecord;
using Streaming.Trainer.Compute;
using Streaming.Trainer.Data;
using Streaming.Trainer.Model;
using Streaming.Trainer.Training;

namespace Streaming.Trainer.Commands;

/// <summary><c>trainer train</c>: TFRecords (local or WebHDFS) → a trained model directory.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Transform output: a directory or webhdfs://nn:9870/path with shards and _transform.json", Required = true };
        var model = new Option<string>("--model") { Description = "Directory to write the model to", Required = true };
        var valData = new Option<string?>("--validation-data") { Description = "Separate validation shards (default: a seeded hash split of --data)" };
        var valFraction = new Option<double>("--validation-fraction") { Description = "Share of --data held out for validation", DefaultValueFactory = _ => 0.1 };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 256 };
        var lr = new Option<float>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 1e-3f };
        var wd = new Option<float>("--weight-decay") { Description = "Decoupled weight decay (AdamW) on dense weights", DefaultValueFactory = _ => 0f };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer widths", DefaultValueFactory = _ => "256,128" };
        var dropout = new Option<float>("--dropout") { DefaultValueFactory = _ => 0f };
        var emb = new Option<int?>("--embedding-dim") { Description = "Embedding size for every categorical feature (default: from its vocabulary size)" };
        var seed = new Option<int>("--seed") { Description = "Same seed, same data → same model", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Compute threads (default: all cores)", DefaultValueFactory = _ => 0 };
        var patience = new Option<int>("--patience") { Description = "Early stopping patience in epochs (0 = off)", DefaultValueFactory = _ => 3 };
        var cmd = new Command("train", "Train a tabular MLP with embeddings on TFRecord shards");
        foreach (var o in new Option[] { data, model, valData, valFraction, epochs, batch, lr, wd, hidden, dropout, emb, seed, threads, patience }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("trainer.train", (logs, _) =>
        {
            var log = logs.CreateLogger("trainer");
            var options = new TrainOptions
            {
                Epochs = Positive(r.GetValue(epochs), "--epochs"), BatchSize = Positive(r.GetValue(batch), "--batch-size"),
                LearningRate = r.GetValue(lr) is > 0 and var l ? l : throw new ConfigException("--lr must be positive"),
                WeightDecay = r.GetValue(wd), Dropout = r.GetValue(dropout) is >= 0 and < 1 and var d ? d : throw new ConfigException("--dropout must be in [0, 1)"),
                Hidden = ParseHidden(r.GetValue(hidden)!), EmbeddingDim = r.GetValue(emb), Seed = r.GetValue(seed), Patience = r.GetValue(patience),
            };
            double fraction = r.GetValue(valFraction);
            if (fraction is < 0 or >= 1) throw new ConfigException("--validation-fraction must be in [0, 1)");
            return Train(r.GetValue(data)!, r.GetValue(valData), fraction, r.GetValue(model)!, options, r.GetValue(threads), log, Console.Out);
        }));
        return cmd;
    }

    public static int Train(string dataLocation, string? validationLocation, double fraction, string modelDir, TrainOptions options, int threads, ILogger log, TextWriter progress)
    {
        var (source, path, owner) = DataSources.Open(dataLocation, log);
        using var _ = owner;
        var set = ShardSet.Open(source, path);
        var plan = set.LoadPlan();
        var layout = new FeatureLayout(plan);
        var loader = new ShardLoader(layout, log);
        ShardLoader.Result loaded;
        Dataset train, validation;
        if (validationLocation is null)
        {
            loaded = loader.Load(set, fraction, (ulong)options.Seed);
            (train, validation) = (loaded.Train, loaded.Validation);
        }
        else
        {
            loaded = loader.Load(set, 0, (ulong)options.Seed);
            var (vs, vp, vo) = DataSources.Open(validationLocation, log);
            using var __ = vo;
            (train, validation) = (loaded.Train, loader.Load(ShardSet.Open(vs, vp), 0, 0).Train);
        }
        if (train.Count == 0) throw new DataException($"{dataLocation}: no training examples");
        var spec = Fit.Spec(layout, train, options);
        var model = new TabularMlp(spec, new CpuBackend(threads), options.Seed);
        var history = new Fit(log, progress).Run(model, train, validation, options);
        var final = validation.Count > 0 ? Scorer.Evaluate(model, validation) : new Dictionary<string, double>();
        ModelFile.Save(modelDir, new ModelFile { Spec = spec, Plan = plan, Metrics = final.Where(kv => double.IsFinite(kv.Value)).ToDictionary(), Epochs = history.Count, Seed = options.Seed }, model);
        AtomicFile.WriteAllText(Path.Combine(modelDir, "metrics.json"), Fit.HistoryJson(history, final));
        var (name, _) = validation.Count > 0 ? Metrics.Monitor(spec.Kind, final) : ("", 0);
        AtomicFile.WriteAllText(Path.Combine(modelDir, "training-curve.svg"),
            CurvePlot.Svg(history.Select(h => h.TrainLoss).ToList(), history.Where(h => h.Validation.ContainsKey(name)).Select(h => h.Validation[name]).ToList(), name));
        foreach (var (k, v) in final.Where(kv => kv.Key != "count"))
            progress.WriteLine(FormattableString.Invariant($"validation {k}: {v:G6}"));
        progress.WriteLine($"model saved to {modelDir} (model.json, weights.bin, metrics.json, training-curve.svg)");
        return ExitCodes.Ok;
    }

    private static int Positive(int v, string name) => v > 0 ? v : throw new ConfigException($"{name} must be positive");

    private static int[] ParseHidden(string s)
    {
        try
        {
            var h = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
            return h.All(x => x > 0) ? h : throw new FormatException();
        }
        catch (FormatException) { throw new ConfigException($"--hidden must be positive widths like 256,128, got '{s}'"); }
    }
}
