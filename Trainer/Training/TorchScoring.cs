using Streaming.Data;
using Streaming.Model;
using Streaming.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

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

    /// <summary>Scores in the label's units (<see cref="ModelSpec.ToScores"/>) for every row, in order.</summary>
    public static double[] Score(TabularNet net, Dataset data, Device device, int batchSize = 4096)
    {
        var spec = net.Spec;
        var scores = new double[data.Count * spec.ScoreWidth];
        net.eval();
        using var _ = torch.no_grad();
        int row = 0;
        using var tensors = new BatchTensors();
        foreach (var b in BatchStream.Epoch(data, batchSize, shuffle: false, seed: 0, Prepare(net.Packing)))
        {
            using var scope = torch.NewDisposeScope();
            var (num, positions, _) = tensors.Load(b, device);
            var outputs = net.call(num, positions).cpu().data<float>().ToArray();
            spec.ToScores(outputs, scores.AsSpan(row * spec.ScoreWidth, b.Size * spec.ScoreWidth));
            row += b.Size;
        }
        return scores;
    }

    public static Dictionary<string, double> Evaluate(TabularNet net, Dataset data, Device device) =>
        Metrics.Compute(net.Spec.Kind, Score(net, data, device), data.Labels, net.Spec.Outputs);
}
