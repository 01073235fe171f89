using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Trainer.Model;
using Streaming.Trainer.Training;
using TorchSharp;
using Streaming.Core;
using Streaming.Transform;
using Streaming.Storage;
using Streaming.Data;
using Streaming.Model;
using Streaming.Hadoop;

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
        var epochs = new Option<int>("--epochs") { Description = "Epochs planned (the learning rate's cosine decay spans them; default 20, more on small data: at least 2,000 steps); early stopping may end sooner", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch-size") { Description = "Examples per optimizer step", DefaultValueFactory = _ => 256 };
        var lr = new Option<float>("--lr") { Description = "Peak AdamW learning rate (linear warm-up over a twentieth of the run, then cosine decay to 5 % of it)", DefaultValueFactory = _ => 1e-3f };
        var wd = new Option<float>("--weight-decay") { Description = "Decoupled weight decay (AdamW) on dense weights", DefaultValueFactory = _ => 0f };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer widths (Linear + ReLU each), comma separated", DefaultValueFactory = _ => "256,128" };
        var dropout = new Option<float>("--dropout") { Description = "Dropout after each hidden layer while training, in [0, 1)", DefaultValueFactory = _ => 0f };
        var emb = new Option<int?>("--embedding-dim") { Description = $"Embedding size for every categorical feature (default {EmbeddingSpec.DefaultDim})" };
        var numericEncoding = new Option<string>("--numeric-encoding") { Description = "piecewise: each numeric feature also enters the network piecewise-linearly over the plan's quantile bins (mapper plan --bins); plain: the scaled value only", DefaultValueFactory = _ => "piecewise" };
        var seed = new Option<int>("--seed") { Description = "Same seed, same data → same model", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads (default: the task's vcores under YARN, else all cores)", DefaultValueFactory = _ => 0 };
        var check = new Option<bool>("--check") { Description = "Only check the options (and that --model can be written), then exit: 0 or 2" };
        var device = new Option<string>("--device") { Description = "auto (CUDA when available), cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
        var deterministic = new Option<bool>("--deterministic") { Description = "Bit-identical weights whatever --threads (MKL's reproducible kernels: about 25% slower on CPU); without it the same seed, data and thread count give the same weights" };
        var cache = new Option<string>("--cache") { Description = "auto (in memory when the manifest's record count fits a quarter of memory), on, or off (stream the shards every epoch)", DefaultValueFactory = _ => "auto" };
        var shuffleBuffer = new Option<int>("--shuffle-buffer") { Description = "Examples in the streaming shuffle buffer (0 = 1,000,000, or fewer when a sixteenth of memory holds fewer)", DefaultValueFactory = _ => 0 };
        var logEvery = new Option<double>("--log-every") { Description = "Seconds between progress lines within an epoch when the output is not a terminal", DefaultValueFactory = _ => 10 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file (default: the --model path + .checkpoint), written at every epoch's end and every --checkpoint-every minutes" };
        var checkpointEvery = new Option<double>("--checkpoint-every") { Description = "Minutes between checkpoints within an epoch (0 = only at epoch ends)", DefaultValueFactory = _ => 10 };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint when there is one of this run (same data and options); else start afresh" };
        var allowMissing = DataSources.AllowMissingManifestOption();
        var logdir = new Option<string?>("--logdir") { Description = "Where TensorBoard's event file is written while training runs (default: the --model path + .tensorboard; copied into the model directory at the end)" };
        var kerberos = new DataSources.KerberosOptions();
        var libtorch = TorchDevice.LibTorchOption();
        var patience = new Option<int>("--patience") { Description = "Early stopping patience in epochs (0 = off; default 3, or a tenth of the epochs when they were sized to the data)", DefaultValueFactory = _ => 3 };
        var cmd = new Command("train", "Train a tabular network with embeddings (TorchSharp) on TFRecord shards");
        foreach (var o in new Option[] { data, model, valData, valFraction, epochs, batch, lr, wd, hidden, dropout, emb, numericEncoding, seed, threads, device, deterministic, cache, shuffleBuffer, logEvery, checkpoint, checkpointEvery, resume, patience, allowMissing, logdir, check }) cmd.Options.Add(o);
        kerberos.AddTo(cmd);
        cmd.Options.Add(libtorch);
        cmd.SetAction(r => TaskHost.Execute("trainer.train", (logs, _) =>
        {
            kerberos.Apply(r);
            TorchDevice.ApplyLibTorch(r, libtorch);
            var log = logs.CreateLogger("trainer");
            var options = new TrainOptions
            {
                Epochs = Positive(r.GetValue(epochs), "--epochs"), EpochsFromData = r.GetResult(epochs) is null or { Implicit: true },
                PatienceFromData = r.GetResult(patience) is null or { Implicit: true }, BatchSize = Positive(r.GetValue(batch), "--batch-size"),
                LearningRate = r.GetValue(lr) is > 0 and var l && float.IsFinite(l) ? l : throw new ConfigException("--lr must be positive"),
                WeightDecay = r.GetValue(wd) is >= 0 and var w && float.IsFinite(w) ? w : throw new ConfigException("--weight-decay must be non-negative"),
                Dropout = r.GetValue(dropout) is >= 0 and < 1 and var d ? d : throw new ConfigException("--dropout must be in [0, 1)"),
                Hidden = ParseHidden(r.GetValue(hidden)!), EmbeddingDim = r.GetValue(emb) is null or > 0 ? r.GetValue(emb) : throw new ConfigException("--embedding-dim must be positive"),
                PiecewiseLinear = r.GetValue(numericEncoding) switch
                {
                    "piecewise" => true, "plain" => false,
                    var other => throw new ConfigException($"--numeric-encoding must be piecewise or plain, got '{other}'"),
                },
                Seed = r.GetValue(seed), Deterministic = r.GetValue(deterministic),
                Cache = r.GetValue(cache) is "auto" or "on" or "off" ? r.GetValue(cache)! : throw new ConfigException($"--cache must be auto, on or off, got '{r.GetValue(cache)}'"),
                ShuffleBuffer = r.GetValue(shuffleBuffer) >= 0 ? r.GetValue(shuffleBuffer) : throw new ConfigException("--shuffle-buffer must be 0 (auto) or more"),
                LogEverySeconds = r.GetValue(logEvery) is > 0 and var le && double.IsFinite(le) ? le : throw new ConfigException("--log-every must be a positive number of seconds"),
                Patience = r.GetValue(patience) >= 0 ? r.GetValue(patience) : throw new ConfigException("--patience must be 0 or more"),
                AllowMissingManifest = r.GetValue(allowMissing),
                LogDir = r.GetValue(logdir) is { } ld && FileSystems.HasScheme(ld) && !ld.StartsWith("file:", StringComparison.Ordinal)
                    ? throw new ConfigException($"--logdir {ld}: TensorBoard's event file is written to a local directory (copy it to HDFS afterwards, or point TensorBoard at the model directory)")
                    : r.GetValue(logdir) is { } local ? FileSystems.LocalPath(local) : null,
            };
            double fraction = r.GetValue(valFraction);
            if (fraction is < 0 or >= 1) throw new ConfigException("--validation-fraction must be in [0, 1)");
            if (r.GetValue(threads) < 0) throw new ConfigException("--threads must be 0 (auto) or more");
            TorchDevice.Validate(r.GetValue(device)!);
            var modelDir = r.GetValue(model)!;
            ModelSaver.CheckWritable(modelDir);
            double every = r.GetValue(checkpointEvery) is >= 0 and var ce && double.IsFinite(ce) ? ce : throw new ConfigException("--checkpoint-every must be 0 or a positive number of minutes");
            var checkpointPath = Path.GetFullPath(r.GetValue(checkpoint) ?? Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDir)) + ".checkpoint");
            if (Directory.Exists(checkpointPath)) throw new ConfigException($"--checkpoint {checkpointPath}: is a directory");
            var ckOptions = (checkpointPath, every == 0 ? TimeSpan.MaxValue : TimeSpan.FromMinutes(every), r.GetValue(resume));
            LibTorchLoader.Use(log);   // a libtorch that will not do is said before any data is read
            if (r.GetValue(check)) return ExitCodes.Ok;
            // What killed runs left (a half checkpoint, a staging or replaced model directory of a dead process) goes first.
            ModelSaver.RemoveStale(modelDir, log);
            foreach (var p in AtomicFile.RemoveStale(checkpointPath, "tmp"))
                log.LogInformation("removed {Path}, left by an earlier checkpoint that did not finish", p);
            return Train(r.GetValue(data)!, r.GetValue(valData), fraction, modelDir, options, r.GetValue(threads), r.GetValue(device)!, log, Console.Out, ckOptions);
        }));
        return cmd;
    }

    public static int Train(string dataLocation, string? validationLocation, double fraction, string modelDir, TrainOptions options, int threads,
        string deviceOption, ILogger log, TextWriter progress, (string Path, TimeSpan Every, bool Resume)? checkpoint = null)
    {
        var set = DataSources.OpenShards(dataLocation, options.AllowMissingManifest, log);
        var plan = set.LoadPlan();
        ShardSet? vset = null;
        if (validationLocation is not null)
        {
            vset = DataSources.OpenShards(validationLocation, options.AllowMissingManifest, log);
            if (vset.LoadPlan().ToJson() != plan.ToJson())
                throw new ConfigException($"{validationLocation} was transformed with a different plan than {dataLocation}");
        }
        var layout = new FeatureLayout(plan);
        bool inMemory = TrainingInputs.InMemory(set, layout, options);
        var policy = checkpoint is var (cp, every, resume)
            ? new CheckpointPolicy(cp, Checkpoint.Key(dataLocation, validationLocation, fraction, inMemory ? "memory" : "stream", options), every,
                resume ? Checkpoint.Load(cp) : null)
            : null;
        // A foreign checkpoint is a configuration error: said before any record is read.
        if (policy?.Resumed is { } found && found.RunKey != policy.RunKey)
            throw new ConfigException($"{policy.Path} belongs to another run (other data or options): remove it, or resume with the options it was made with");
        var (train, validation) = TrainingInputs.Open(set, vset, layout, fraction, options, inMemory, log);
        return Train(dataLocation, modelDir, plan, layout, train, validation, options, threads, deviceOption, log, progress, policy);
    }

    private static int Train(string dataLocation, string modelDir, TransformPlan plan, FeatureLayout layout, IExampleSource train, IExampleSource? validation,
        TrainOptions options, int threads, string deviceOption, ILogger log, TextWriter progress, CheckpointPolicy? checkpoints)
    {
        if (train.Count == 0) throw new DataException($"{dataLocation}: no training examples");
        var device = TorchDevice.Select(deviceOption, threads, log, options.Deterministic);
        if (options.SizedTo(train.Expected) is var sized && sized != options)
        {
            log.LogInformation("{Epochs} epochs (patience {Patience}) for {Count:N0} training examples: at least {Steps:N0} steps (--epochs, --patience set them)",
                sized.Epochs, sized.Patience, train.Expected, TrainOptions.MinimumSteps);
            options = sized;
        }
        var spec = Fit.Spec(layout, train, options);
        torch.manual_seed(options.Seed);
        using var model = new TabularNet(spec);
        model.to(device);
        var interactive = ReferenceEquals(progress, Console.Out) && !Console.IsOutputRedirected;
        using var stop = new StopSignal();
        // Live beside the model (the model directory is swapped in whole at the end), then in it: a default log
        // directory goes once its file is in the model, as the checkpoint does; one the user named stays.
        var logDir = options.LogDir ?? Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDir)) + ".tensorboard";
        using var events = new TensorBoardEvents(logDir);
        log.LogInformation("TensorBoard events: {Path} (tensorboard --logdir {Dir})", events.Path, Path.GetDirectoryName(events.Path));
        // The picture so far, after every epoch, beside the model (the model directory itself appears only complete):
        // MODEL.progress/training-curve.svg and metrics.json, replaced whole each time, removed when the model is saved.
        var progressDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDir)) + ".progress";
        // The chart's lower panel shows what the task is judged by (for multiclass accuracy: log-loss, the one watched, is above).
        string chartMetric = spec.Task == TaskKind.Multiclass ? "accuracy" : spec.Task == TaskKind.Regression ? "rmse" : "auc";
        var (history, bestEpoch) = new Fit(log, progress, new EpochProgress(progress, interactive, TimeSpan.FromSeconds(options.LogEverySeconds)), stop, events)
        {
            AfterEpoch = (so, kept) =>
            {
                AtomicFile.WriteAllText(Path.Combine(progressDir, "training-curve.svg"), CurvePlot.Svg(so, spec.Task, chartMetric, kept, spec.LabelStd));
                AtomicFile.WriteAllText(Path.Combine(progressDir, "metrics.json"), Fit.HistoryJson(so, so[^1].Validation, kept));
            },
        }.Run(model, train, validation, options, device, checkpoints);
        if (train.Count == 0) throw new DataException($"{dataLocation}: no training examples");
        var final = validation is not null ? TorchScoring.Evaluate(model, validation, device) : new Dictionary<string, double>();
        var meta = new ModelFile
        {
            Spec = spec, Plan = plan, Metrics = final.Where(kv => double.IsFinite(kv.Value)).ToDictionary(), Epochs = history.Count,
            BestEpoch = bestEpoch, Seed = options.Seed, TrainedOn = TorchDevice.Describe,
        };
        ModelSaver.Save(modelDir, meta, model, Fit.HistoryJson(history, final, bestEpoch),
            CurvePlot.Svg(history, spec.Task, chartMetric, bestEpoch, spec.LabelStd), [events.Path]);
        events.Dispose();
        if (options.LogDir is null)
            try { Directory.Delete(logDir, recursive: true); } catch (IOException) { }
        try { if (Directory.Exists(progressDir)) Directory.Delete(progressDir, recursive: true); } catch (IOException) { }
        if (checkpoints is not null && File.Exists(checkpoints.Path)) File.Delete(checkpoints.Path);   // the run is complete: nothing to resume
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
