using Streaming.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;
using Streaming.Data;
using Streaming.Model;

namespace Streaming.Trainer.Training;

/// <summary>Prepares batches for the network, and runs it in evaluation mode over a data set.</summary>
public static class TorchScoring
{
    /// <summary>Fills a batch's embedding gather positions; the input pipeline runs it on its own thread.</summary>
    public static Action<Batch> Prepare(PackedEmbeddings packing) => b =>
    {
        b.GatherPositions ??= new long[b.Capacity * packing.Width];
        packing.Positions(b.Categorical, b.Size, b.GatherPositions);
    };

    /// <summary>
    /// Scores in the label's units (<see cref="ModelSpec.ToScores"/>) batch by batch, in the source's fixed order,
    /// handed to <paramref name="onBatch"/> with the batch (its labels and ids): nothing is kept, so memory does not
    /// grow with the data.
    /// </summary>
    public static void ScoreBatches(TabularNet net, IExampleSource data, Device device, Action<Batch, ReadOnlySpan<double>> onBatch, int batchSize = 4096)
    {
        var spec = net.Spec;
        var rowScores = new double[batchSize * spec.ScoreWidth];
        net.eval();
        using var _ = torch.no_grad();
        using var tensors = new BatchTensors();
        foreach (var b in data.Epoch(0, batchSize, shuffle: false, Prepare(net.Packing)))
        {
            using var scope = torch.NewDisposeScope();
            var (num, positions, _) = tensors.Load(b, device);
            var outputs = net.call(num, positions).cpu().data<float>().ToArray();
            var batchScores = rowScores.AsSpan(0, b.Size * spec.ScoreWidth);
            spec.ToScores(outputs, batchScores);
            onBatch(b, batchScores);
        }
    }

    public static double[] Score(TabularNet net, Dataset data, Device device)
    {
        var scores = new List<double>(data.Count * net.Spec.ScoreWidth);
        ScoreBatches(net, new InMemorySource(data, 0), device, (_, s) => scores.AddRange(s));
        return scores.ToArray();
    }

    public static Dictionary<string, double> Evaluate(TabularNet net, IExampleSource data, Device device)
    {
        var metrics = new MetricsAccumulator(net.Spec.Task, net.Spec.Outputs);
        ScoreBatches(net, data, device, (b, s) => metrics.Add(s, b.Labels.AsSpan(0, b.Size)));
        return metrics.Result();
    }
}
