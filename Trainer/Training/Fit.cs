using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Streaming.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;
using Streaming.Transform;
using Streaming.Data;
using Streaming.Model;

namespace Streaming.Trainer.Training;

public sealed record TrainOptions
{
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 256;
    public float LearningRate { get; init; } = 1e-3f;
    public float WeightDecay { get; init; }
    public float Dropout { get; init; }
    public int[] Hidden { get; init; } = [256, 128];
    public int? EmbeddingDim { get; init; }
    /// <summary>Encode numeric features piecewise-linearly over the plan's quantile bins too (<c>--numeric-encoding</c>).</summary>
    public bool PiecewiseLinear { get; init; } = true;
    public int Seed { get; init; } = 1;
    /// <summary>Bit-identical weights whatever the CPU thread count (see <see cref="TorchDevice.Select"/>).</summary>
    public bool Deterministic { get; init; }
    /// <summary>auto | on | off: hold the data in memory, or stream the shards every epoch.</summary>
    public string Cache { get; init; } = "auto";
    /// <summary>Streaming shuffle buffer in examples (0 = sized to memory).</summary>
    public int ShuffleBuffer { get; init; }
    public double LogEverySeconds { get; init; } = 10;
    /// <summary>Stop after this many epochs without improvement of the validation metric (0 = never).</summary>
    public int Patience { get; init; } = 3;
    /// <summary>Epochs and patience not given: sized to the data by <see cref="SizedTo"/>.</summary>
    public bool EpochsFromData { get; init; }
    public bool PatienceFromData { get; init; }

    /// <summary>Optimizer steps a run takes at least when its epochs are not given.</summary>
    public const int MinimumSteps = 2000;

    /// <summary>
    /// Epochs for data of <paramref name="trainCount"/> examples when none were given: the default 20, or as many as
    /// make <see cref="MinimumSteps"/> steps on small data (1,051 rows in batches of 256 are 5 steps an epoch: 20
    /// epochs are 100 steps, far too few — Seattle weather's macro-F1 0.40 against 0.54–0.58 at 200 epochs); patience
    /// a tenth of them, at least 3.
    /// </summary>
    public TrainOptions SizedTo(long? trainCount)
    {
        if (trainCount is not long n || n <= 0) return this;
        long stepsPerEpoch = (n + BatchSize - 1) / BatchSize;
        int epochs = EpochsFromData ? (int)Math.Clamp((MinimumSteps + stepsPerEpoch - 1) / stepsPerEpoch, Epochs, 1000) : Epochs;
        return this with { Epochs = epochs, Patience = PatienceFromData ? Math.Max(Patience, epochs / 10) : Patience };
    }
    /// <summary>TensorBoard's directory (<c>--logdir</c>); null: the model path + <c>.tensorboard</c>.</summary>
    public string? LogDir { get; init; }
    /// <summary>Read shard directories without <c>_manifest.json</c>, unchecked (<c>--allow-missing-manifest</c>).</summary>
    public bool AllowMissingManifest { get; init; }
}

/// <summary>Where checkpoints go, how often mid-epoch, and the checkpoint to continue from (<c>--resume</c>), already read and matched.</summary>
public sealed record CheckpointPolicy(string Path, string RunKey, TimeSpan Every, Checkpoint? Resumed);

public sealed record EpochResult(int Epoch, double TrainLoss, Dictionary<string, double> Validation, double SamplesPerSecond, double Seconds);

/// <summary>
/// The training loop on TorchSharp: seeded shuffled mini-batches handed to the device whole, forward, the task's loss
/// (MSE on the standardised target, log-loss on logits, softmax cross-entropy), backward, AdamW (decay on dense
/// weights only; <see cref="FlatAdamW"/>). The running loss stays on the device: the host waits for it once an epoch, when the line is
/// printed. After each epoch the validation metrics; early stopping restores the best epoch's weights.
/// </summary>
public sealed class Fit(ILogger log, TextWriter console, EpochProgress progress, StopSignal? stop = null, TensorBoardEvents? events = null)
{
    /// <summary>Batches between the running training loss's TensorBoard points (one host sync each).</summary>
    public const int EventEveryBatches = 100;

    /// <summary>Called after every epoch with the history so far and the epoch kept so far (the progress picture).</summary>
    public Action<IReadOnlyList<EpochResult>, int>? AfterEpoch { get; init; }

    public static ModelSpec Spec(FeatureLayout layout, IExampleSource train, TrainOptions o)
    {
        var spec = new ModelSpec
        {
            Task = layout.Task,
            NumericWidth = layout.NumericWidth,
            Embeddings = layout.IndexSlots.Select(s => new EmbeddingSpec
            {
                Feature = s.Name, Cardinality = s.Cardinality, Dim = o.EmbeddingDim ?? EmbeddingSpec.DefaultDim,
            }).ToList(),
            Hidden = o.Hidden,
            Dropout = o.Dropout,
            Outputs = layout.Task == TaskKind.Multiclass ? layout.Classes : 1,
            Piecewise = o.PiecewiseLinear ? Piecewise(layout) : [],
        };
        if (spec.Task == TaskKind.Regression && layout.Label is { Mean: { } labelMean, Std: { } labelStd })
        {
            // The statistics job's exact moments of the label column (all rows, validation ones included: a
            // standardisation needs the scale, not this split's exact moments) spare a pass over the data.
            spec.LabelMean = labelMean;
            spec.LabelStd = labelStd > 0 && double.IsFinite(labelStd) ? labelStd : 1;
        }
        else if (spec.Task == TaskKind.Regression)
        {
            // The target is standardised with the training labels' mean and standard deviation (Welford, in a fixed
            // order); streamed data takes one pass for it before training.
            double mean = 0, m2 = 0;
            long n = 0;
            foreach (var b in train.Epoch(0, 4096, shuffle: false))
                for (int i = 0; i < b.Size; i++) { double y = b.Labels[i], d = y - mean; mean += d / ++n; m2 += d * (y - mean); }
            spec.LabelMean = mean;
            spec.LabelStd = n > 1 && m2 > 0 ? Math.Sqrt(m2 / (n - 1)) : 1;
        }
        return spec;
    }

    /// <summary>Every numeric feature the plan gave bins, at its place among the numeric inputs.</summary>
    private static List<PiecewiseSpec> Piecewise(FeatureLayout layout)
    {
        var bins = layout.Plan.Features.Select(f => (f.Name, Bins: f switch { NumericFeature n => n.Bins, DatePartFeature d => d.Bins, _ => null }))
            .Where(f => f.Bins is not null).ToDictionary(f => f.Name, f => f.Bins!);
        return layout.FloatSlots.Where(s => bins.ContainsKey(s.Name))
            .Select(s => new PiecewiseSpec { Feature = s.Name, Column = s.Offset, Edges = bins[s.Name].ToArray() }).ToList();
    }

    /// <summary>Trains in place; returns the history and the epoch whose weights the model ends with.</summary>
    public (List<EpochResult> History, int BestEpoch) Run(TabularNet model, IExampleSource train, IExampleSource? validation, TrainOptions o, Device device,
        CheckpointPolicy? checkpoints = null)
    {
        var spec = model.Spec;
        // Weight decay on dense weights only: biases and embedding rows are not shrunk towards zero.
        var decayed = model.named_parameters().Where(p => p.name.EndsWith(".weight") && !p.name.StartsWith("embeddings.")).Select(p => p.parameter).ToHashSet();
        using var opt = new FlatAdamW(model.parameters(), decayed.Contains, o.LearningRate, o.WeightDecay);
        // Planned from the expected size (fixed before the first batch: a resumed run follows the same curve).
        long? plannedSteps = train.Expected is long expected ? (expected + o.BatchSize - 1) / o.BatchSize : null;
        var schedule = new LearningRateSchedule(o.LearningRate, plannedSteps * o.Epochs, plannedSteps ?? 1000);
        var history = new List<EpochResult>();
        double best = double.PositiveInfinity;
        int sinceBest = 0, bestEpoch = 0;
        Dictionary<string, Tensor>? bestWeights = null;
        long parameters = model.parameters().Sum(p => p.numel());
        log.LogInformation("training {Task} network: {Params:N0} parameters, input width {Width}, hidden [{Hidden}] on {Device}; {Train} train / {Val} validation examples",
            spec.Task.Name(), parameters, spec.InputWidth, string.Join(",", spec.Hidden), TorchDevice.Describe, Counted(train), validation is null ? "0" : Counted(validation));
        float mean = (float)spec.LabelMean, std = (float)spec.LabelStd;
        var total = Stopwatch.StartNew();
        using var tensors = new BatchTensors();
        int firstEpoch = 1;
        long skip = 0, resumedSeen = 0;
        double resumedLoss = 0;
        var resumed = checkpoints?.Resumed;
        if (resumed is not null)
        {
            opt.Import(resumed.Values, resumed.ExpAvg, resumed.ExpAvgSq, resumed.Step);
            using (var rng = torch.tensor(resumed.RngState)) torch.random.set_rng_state(rng);
            history.AddRange(resumed.History);
            (best, bestEpoch, sinceBest) = (resumed.Best, resumed.BestEpoch, resumed.SinceBest);
            if (resumed.BestWeights is not null) bestWeights = Unflatten(model, resumed.BestWeights);
            (firstEpoch, skip, resumedSeen, resumedLoss) = (resumed.Epoch, resumed.Batches, resumed.Seen, resumed.LossSum);
            log.LogInformation("resuming from {Path}: epoch {Epoch}, after batch {Batch:N0}", checkpoints!.Path, resumed.Epoch, resumed.Batches);
        }
        var lastCheckpoint = Stopwatch.StartNew();
        void Save(int epoch, long batches, long seen, double lossSum)
        {
            var (values, m, v, step) = opt.Export();
            using var rng = torch.random.get_rng_state();
            new Checkpoint
            {
                RunKey = checkpoints!.RunKey, Epoch = epoch, Batches = batches, Seen = seen, LossSum = lossSum, Step = step,
                Best = best, BestEpoch = bestEpoch, SinceBest = sinceBest, History = history, Values = values, ExpAvg = m, ExpAvgSq = v,
                BestWeights = bestWeights is null ? null : Flatten(bestWeights), RngState = rng.data<byte>().ToArray(),
            }.Save(checkpoints.Path);
            lastCheckpoint.Restart();
            log.LogInformation("checkpoint: epoch {Epoch}, batch {Batch:N0} → {Path}", epoch, batches, checkpoints.Path);
        }
        for (int epoch = firstEpoch; epoch <= o.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            model.train();
            using var lossSum = torch.zeros(1, dtype: ScalarType.Float64, device: device);
            long seen = 0, batches = 0;
            if (epoch == firstEpoch && skip > 0) { lossSum.fill_(resumedLoss); seen = resumedSeen; }
            long? totalBatches = train.Count is long c ? (c + o.BatchSize - 1) / o.BatchSize : null;
            progress.StartEpoch();
            foreach (var b in train.Epoch(epoch, o.BatchSize, shuffle: true, TorchScoring.Prepare(model.Packing)))
            {
                if (batches < skip && epoch == firstEpoch) { batches++; continue; }   // applied before the stop: the order is deterministic
                if (batches == 0 && epoch == 1) log.LogInformation("first batch after {Seconds:F2} s", sw.Elapsed.TotalSeconds);
                using var scope = torch.NewDisposeScope();
                var (num, positions, y) = tensors.Load(b, device);
                var output = model.call(num, positions);
                var loss = spec.Task switch
                {
                    TaskKind.Regression => nn.functional.mse_loss(output.squeeze(1), (y - mean) / std),
                    TaskKind.Binary => nn.functional.binary_cross_entropy_with_logits(output.squeeze(1), y),
                    _ => nn.functional.cross_entropy(output, y.to(ScalarType.Int64)),
                };
                opt.ZeroGrad();
                loss.backward();
                opt.LearningRate = schedule.At(opt.Steps + 1);
                opt.Step();
                lossSum.add_(loss.detach(), alpha: b.Size);   // one op; float64 accumulator on the device
                seen += b.Size;
                batches++;
                progress.Step(epoch, o.Epochs, batches, totalBatches, seen, sw.Elapsed, () => lossSum.item<double>() / seen);
                if (events is not null && batches % EventEveryBatches == 0)
                    events.Scalars(opt.Steps, [("batch/train_loss", lossSum.item<double>() / seen)]);
                if (stop?.Requested is { } signal)
                {
                    // The batch is applied: stop here, where a resumed run goes on exactly as if never stopped.
                    if (checkpoints is not null) Save(epoch, batches, seen, lossSum.item<double>());
                    throw new Core.StopRequestedException(signal, $"{StopSignal.Name(signal)}: interrupted at epoch {epoch} batch {batches:N0}; "
                        + (checkpoints is not null ? $"checkpoint {checkpoints.Path}: resume with --resume" : "no checkpoint was asked for"));
                }
                if (checkpoints is not null && lastCheckpoint.Elapsed >= checkpoints.Every) Save(epoch, batches, seen, lossSum.item<double>());
            }
            double trainLoss = lossSum.item<double>() / Math.Max(1, seen);   // the epoch's one host sync
            double trainSeconds = sw.Elapsed.TotalSeconds;
            var val = validation is not null ? TorchScoring.Evaluate(model, validation, device) : new Dictionary<string, double>();
            var r = new EpochResult(epoch, trainLoss, val, seen / Math.Max(1e-9, trainSeconds), sw.Elapsed.TotalSeconds);
            history.Add(r);
            events?.Scalars(opt.Steps, [("epoch/epoch", epoch), ("epoch/train_loss", trainLoss), ("epoch/samples_per_second", r.SamplesPerSecond),
                ("epoch/learning_rate", opt.LearningRate), .. val.Where(kv => kv.Key != "count").Select(kv => ("epoch/val_" + kv.Key, kv.Value))]);
            var eta = TimeSpan.FromSeconds(total.Elapsed.TotalSeconds / epoch * (o.Epochs - epoch));
            progress.EndEpoch(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}/{o.Epochs}  loss {r.TrainLoss:F4}  {string.Join("  ", val.Where(kv => kv.Key != "count").Select(kv => $"val_{kv.Key} {kv.Value:G6}"))}  {r.SamplesPerSecond:N0} samples/s  elapsed {EpochProgress.Eta(sw.Elapsed)}  ETA {EpochProgress.Eta(eta)}"));
            if (val.GetValueOrDefault("count") == 0)
            {
                bestEpoch = epoch;
                AfterEpoch?.Invoke(history, bestEpoch);
                if (checkpoints is not null && epoch < o.Epochs) Save(epoch + 1, 0, 0, 0);
                continue;
            }
            var (_, monitored) = Metrics.Monitor(spec.Task, val);
            if (monitored < best - 1e-9)
            {
                best = monitored;
                sinceBest = 0;
                bestEpoch = epoch;
                if (bestWeights is not null) foreach (var t in bestWeights.Values) t.Dispose();
                bestWeights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
            }
            else if (o.Patience > 0 && ++sinceBest >= o.Patience)
            {
                AfterEpoch?.Invoke(history, bestEpoch);
                console.WriteLine($"early stopping: no improvement for {o.Patience} epochs; keeping epoch {bestEpoch}");
                break;
            }
            AfterEpoch?.Invoke(history, bestEpoch);
            if (checkpoints is not null && epoch < o.Epochs) Save(epoch + 1, 0, 0, 0);
        }
        if (bestWeights is not null)
        {
            model.load_state_dict(bestWeights);
            foreach (var t in bestWeights.Values) t.Dispose();
        }
        return (history, bestEpoch);
    }

    private static float[] Flatten(Dictionary<string, Tensor> weights) =>
        weights.Values.SelectMany(t => { using var c = t.detach().cpu().contiguous(); return c.data<float>().ToArray(); }).ToArray();

    private static Dictionary<string, Tensor> Unflatten(TabularNet model, float[] flat)
    {
        var result = new Dictionary<string, Tensor>();
        long offset = 0;
        foreach (var (name, t) in model.state_dict())
        {
            long n = t.numel();
            result[name] = torch.tensor(flat.AsSpan((int)offset, (int)n).ToArray(), t.shape).to(t.device).DetachFromDisposeScope();
            offset += n;
        }
        return result;
    }

    private static string Counted(IExampleSource s) => s.Count is long n ? n.ToString("N0", CultureInfo.InvariantCulture) : "streamed";

    public static string HistoryJson(IReadOnlyList<EpochResult> history, Dictionary<string, double> final, int bestEpoch)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("best_epoch", bestEpoch);
            w.WriteStartObject("final_validation");
            foreach (var (k, v) in final) if (double.IsFinite(v)) w.WriteNumber(k, v);
            w.WriteEndObject();
            w.WriteStartArray("epochs");
            foreach (var e in history)
            {
                w.WriteStartObject();
                w.WriteNumber("epoch", e.Epoch);
                w.WriteNumber("train_loss", e.TrainLoss);
                w.WriteNumber("samples_per_second", e.SamplesPerSecond);
                w.WriteNumber("seconds", e.Seconds);
                foreach (var (k, v) in e.Validation) if (double.IsFinite(v)) w.WriteNumber("val_" + k, v);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
