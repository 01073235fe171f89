using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Contract;
using Streaming.TfRecord;
using Streaming.Data;
using Streaming.Model;
using Streaming.Trainer.Model;
using Streaming.Trainer.Training;
using TorchSharp;

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
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads (default: the task's vcores under YARN, else all cores)", DefaultValueFactory = _ => 0 };
        var check = new Option<bool>("--check") { Description = "Only check the options (and that --model can be written), then exit: 0 or 2" };
        var device = new Option<string>("--device") { Description = "auto (CUDA when available), cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
        var deterministic = new Option<bool>("--deterministic") { Description = "Bit-identical weights whatever --threads (MKL's reproducible kernels: about 25% slower on CPU); without it the same seed, data and thread count give the same weights" };
        var patience = new Option<int>("--patience") { Description = "Early stopping patience in epochs (0 = off)", DefaultValueFactory = _ => 3 };
        var cmd = new Command("train", "Train a tabular network with embeddings (TorchSharp) on TFRecord shards");
        foreach (var o in new Option[] { data, model, valData, valFraction, epochs, batch, lr, wd, hidden, dropout, emb, seed, threads, device, deterministic, patience, check }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("trainer.train", (logs, _) =>
        {
            var log = logs.CreateLogger("trainer");
            var options = new TrainOptions
            {
                Epochs = Positive(r.GetValue(epochs), "--epochs"), BatchSize = Positive(r.GetValue(batch), "--batch-size"),
                LearningRate = r.GetValue(lr) is > 0 and var l && float.IsFinite(l) ? l : throw new ConfigException("--lr must be positive"),
                WeightDecay = r.GetValue(wd) is >= 0 and var w && float.IsFinite(w) ? w : throw new ConfigException("--weight-decay must be non-negative"),
                Dropout = r.GetValue(dropout) is >= 0 and < 1 and var d ? d : throw new ConfigException("--dropout must be in [0, 1)"),
                Hidden = ParseHidden(r.GetValue(hidden)!), EmbeddingDim = r.GetValue(emb) is null or > 0 ? r.GetValue(emb) : throw new ConfigException("--embedding-dim must be positive"),
                Seed = r.GetValue(seed), Deterministic = r.GetValue(deterministic), Patience = r.GetValue(patience) >= 0 ? r.GetValue(patience) : throw new ConfigException("--patience must be 0 or more"),
            };
            double fraction = r.GetValue(valFraction);
            if (fraction is < 0 or >= 1) throw new ConfigException("--validation-fraction must be in [0, 1)");
            if (r.GetValue(threads) < 0) throw new ConfigException("--threads must be 0 (auto) or more");
            TorchDevice.Validate(r.GetValue(device)!);
            var modelDir = r.GetValue(model)!;
            ModelSaver.CheckWritable(modelDir);
            if (r.GetValue(check)) return ExitCodes.Ok;
            return Train(r.GetValue(data)!, r.GetValue(valData), fraction, modelDir, options, r.GetValue(threads), r.GetValue(device)!, log, Console.Out);
        }));
        return cmd;
    }

    public static int Train(string dataLocation, string? validationLocation, double fraction, string modelDir, TrainOptions options, int threads,
        string deviceOption, ILogger log, TextWriter progress)
    {
        var (source, path, owner) = DataSources.Open(dataLocation, log);
        using var _ = owner;
        var set = ShardSet.Open(source, path);
        var plan = set.LoadPlan();
        var layout = new FeatureLayout(plan);
        var loader = new ShardLoader(layout, log);
        Dataset train, validation;
        if (validationLocation is null)
        {
            var loaded = loader.Load(set, fraction, (ulong)options.Seed);
            (train, validation) = (loaded.Train, loaded.Validation);
        }
        else
        {
            var (vs, vp, vo) = DataSources.Open(validationLocation, log);
            using var __ = vo;
            var vset = ShardSet.Open(vs, vp);
            if (vset.LoadPlan().ToJson() != plan.ToJson())
                throw new ConfigException($"{validationLocation} was transformed with a different plan than {dataLocation}");
            (train, validation) = (loader.Load(set, 0, (ulong)options.Seed).Train, loader.Load(vset, 0, 0).Train);
        }
        if (train.Count == 0) throw new DataException($"{dataLocation}: no training examples");
        var device = TorchDevice.Select(deviceOption, threads, log, options.Deterministic);
        var spec = Fit.Spec(layout, train, options);
        torch.manual_seed(options.Seed);
        using var model = new TabularNet(spec);
        model.to(device);
        var (history, bestEpoch) = new Fit(log, progress).Run(model, train, validation, options, device);
        var final = validation.Count > 0 ? TorchScoring.Evaluate(model, validation, device) : new Dictionary<string, double>();
        var meta = new ModelFile
        {
            Spec = spec, Plan = plan, Metrics = final.Where(kv => double.IsFinite(kv.Value)).ToDictionary(), Epochs = history.Count,
            BestEpoch = bestEpoch, Seed = options.Seed, TrainedOn = TorchDevice.Describe,
        };
        var (name, _) = validation.Count > 0 ? Metrics.Monitor(spec.Kind, final) : ("", 0);
        ModelSaver.Save(modelDir, meta, model, Fit.HistoryJson(history, final, bestEpoch),
            CurvePlot.Svg(history.Select(h => h.TrainLoss).ToList(), history.Where(h => h.Validation.ContainsKey(name)).Select(h => h.Validation[name]).ToList(), name));
        foreach (var (k, v) in final.Where(kv => kv.Key != "count"))
            progress.WriteLine(FormattableString.Invariant($"validation {k}: {v:G6}"));
        progress.WriteLine($"model saved to {modelDir} ({ModelSaver.Files})");
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
