using Microsoft.Extensions.Logging;
using Streaming.Trainer.Model;
using Streaming.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;
using Streaming.Core;
using Streaming.Data;
using Streaming.Model;

namespace Streaming.Trainer.Commands;

/// <summary>
/// A saved model as a scoring function: the libtorch-free <see cref="MlpScorer"/> (<c>native</c>, the default for
/// predict: starts without loading libtorch) or the TorchSharp network on a device (<c>libtorch</c>).
/// </summary>
public sealed class ModelEngine : IDisposable
{
    private readonly TabularNet? _net;
    private readonly Device? _device;
    private readonly MlpScorer? _scorer;

    private ModelEngine(ModelFile meta, TabularNet? net, Device? device, MlpScorer? scorer) => (Meta, _net, _device, _scorer) = (meta, net, device, scorer);

    public ModelFile Meta { get; }

    public static string ValidateEngine(string engine) => engine is "native" or "libtorch" ? engine
        : throw new ConfigException($"--engine must be native or libtorch, got '{engine}'");

    public static ModelEngine Open(string modelDir, string engine, string deviceOption, int threads, ILogger log)
    {
        var meta = ModelFile.LoadMeta(modelDir);
        var weights = ModelFile.LoadWeights(modelDir, meta);
        if (ValidateEngine(engine) == "native") return new ModelEngine(meta, null, null, new MlpScorer(meta.Spec, weights));
        var device = TorchDevice.Select(deviceOption, threads, log);
        var net = new TabularNet(meta.Spec);
        net.Load(weights);
        net.to(device);
        return new ModelEngine(meta, net, device, null);
    }

    public double[] Score(Dataset data) => _scorer is not null ? _scorer.Score(data) : TorchScoring.Score(_net!, data, _device!);

    /// <summary>Scores a source batch by batch, in its fixed order (see <see cref="TorchScoring.ScoreBatches"/>).</summary>
    public void ScoreBatches(IExampleSource data, Action<Batch, ReadOnlySpan<double>> onBatch)
    {
        if (_scorer is not null) _scorer.ScoreBatches(data, onBatch);
        else TorchScoring.ScoreBatches(_net!, data, _device!, onBatch);
    }

    public void Dispose() => _net?.Dispose();
}
