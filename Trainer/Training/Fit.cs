using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Streaming.Trainer.Data;
using Streaming.Trainer.Model;

namespace Streaming.Trainer.Training;

public sealed record TrainOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 256;
    public float LearningRate { get; init; } = 1e-3f;
    public float WeightDecay { get; init; }
    public float Dropout { get; init; }
    public int[] Hidden { get; init; } = [256, 128];
    public int? EmbeddingDim { get; init; }
    public int Seed { get; init; } = 1;
    /// <summary>Stop after this many epochs without improvement of the validation metric (0 = never).</summary>
    public int Patience { get; init; } = 3;
}

public sealed record EpochResult(int Epoch, double TrainLoss, Dictionary<string, double> Validation, double SamplesPerSecond, double Seconds);

/// <summary>
/// The training loop: shuffled mini-batches, forward, loss, backward, AdamW; after each epoch the validation metrics,
/// throughput and an ETA on one line; early stopping restores the best epoch's weights.
/// </summary>
public sealed class Fit(ILogger log, TextWriter progress)
{
    public static ModelSpec Spec(FeatureLayout layout, Dataset train, TrainOptions o)
    {
        var spec = new ModelSpec
        {
            Task = layout.Task,
            NumericWidth = layout.NumericWidth,
            Embeddings = layout.IndexSlots.Select(s => new EmbeddingSpec
            {
                Feature = s.Name, Cardinality = s.Cardinality, Dim = o.EmbeddingDim ?? EmbeddingSpec.DefaultDim(s.Cardinality),
            }).ToList(),
            Hidden = o.Hidden,
            Dropout = o.Dropout,
            Outputs = layout.Task == "multiclass" ? layout.Classes : 1,
        };
        if (spec.Kind == TaskKind.Regression && train.Count > 0)
        {
            double mean = 0, m2 = 0;
            var y = train.Labels;
            for (int i = 0; i < y.Length; i++) { double d = y[i] - mean; mean += d / (i + 1); m2 += d * (y[i] - mean); }
            spec.LabelMean = mean;
            spec.LabelStd = y.Length > 1 && m2 > 0 ? Math.Sqrt(m2 / (y.Length - 1)) : 1;
        }
        return spec;
    }

    public List<EpochResult> Run(TabularMlp model, Dataset train, Dataset validation, TrainOptions o)
    {
        var spec = model.Spec;
        var opt = new AdamOptimizer(model.Parameters, model.Backend, o.LearningRate, o.WeightDecay);
        var rng = new Random(o.Seed);
        var history = new List<EpochResult>();
        double best = double.PositiveInfinity;
        int sinceBest = 0;
        float[][]? bestWeights = null;
        var targets = new float[o.BatchSize];
        var grad = new float[o.BatchSize * spec.Outputs];
        log.LogInformation("training {Task} MLP: {Params:N0} parameters, input width {Width}, hidden [{Hidden}], backend {Backend}; {Train} train / {Val} validation examples",
            spec.Task, model.ParameterCount, model.InputWidth, string.Join(",", spec.Hidden), model.Backend.Name, train.Count, validation.Count);
        var total = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            double lossSum = 0;
            long seen = 0;
            foreach (var b in BatchStream.Epoch(train, o.BatchSize, shuffle: true, seed: o.Seed * 7919 + epoch))
            {
                model.ZeroGrad();
                var y = model.Forward(b, training: true, rng);
                double loss;
                switch (spec.Kind)
                {
                    case TaskKind.Regression:
                        for (int i = 0; i < b.Size; i++) targets[i] = (float)((b.Labels[i] - spec.LabelMean) / spec.LabelStd);
                        loss = Losses.Mse(y, targets, grad, b.Size);
                        break;
                    case TaskKind.Binary: loss = Losses.BinaryCrossEntropy(y, b.Labels, grad, b.Size); break;
                    default: loss = Losses.SoftmaxCrossEntropy(y, b.Labels, grad, b.Size, spec.Outputs); break;
                }
                model.Backward(grad, b.Size);
                opt.Update();
                lossSum += loss * b.Size;
                seen += b.Size;
            }
            double trainSeconds = sw.Elapsed.TotalSeconds;
            var val = validation.Count > 0 ? Scorer.Evaluate(model, validation) : new Dictionary<string, double>();
            var r = new EpochResult(epoch, lossSum / Math.Max(1, seen), val, seen / Math.Max(1e-9, trainSeconds), sw.Elapsed.TotalSeconds);
            history.Add(r);
            var eta = TimeSpan.FromSeconds(total.Elapsed.TotalSeconds / epoch * (o.Epochs - epoch));
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}/{o.Epochs}  loss {r.TrainLoss:F4}  {string.Join("  ", val.Where(kv => kv.Key != "count").Select(kv => $"val_{kv.Key} {kv.Value:G6}"))}  {r.SamplesPerSecond:N0} samples/s  ETA {eta:mm\\:ss}"));
            progress.Flush();
            if (val.Count == 0) continue;
            var (_, monitored) = Metrics.Monitor(spec.Kind, val);
            if (monitored < best - 1e-9)
            {
                best = monitored;
                sinceBest = 0;
                bestWeights = model.Parameters.Select(p => (float[])p.Value.Clone()).ToArray();
            }
            else if (o.Patience > 0 && ++sinceBest >= o.Patience)
            {
                progress.WriteLine($"early stopping: no improvement for {o.Patience} epochs; keeping epoch {epoch - sinceBest}");
                break;
            }
        }
        if (bestWeights is not null)
            for (int i = 0; i < bestWeights.Length; i++) Array.Copy(bestWeights[i], model.Parameters[i].Value, bestWeights[i].Length);
        return history;
    }

    public static string HistoryJson(IReadOnlyList<EpochResult> history, Dictionary<string, double> final)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
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
