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

    /// <summary>Scores in the label's units (<see cref="ModelSpec.ToScores"/>) for every row, in order, with the rows' labels.</summary>
    public static (double[] Scores, float[] Labels) Score(TabularNet net, IExampleSource data, Device device, int batchSize = 4096)
    {
        var spec = net.Spec;
        var scores = new List<double>(checked((int)(data.Count ?? 0) * spec.ScoreWidth));
        var labels = new List<float>((int)(data.Count ?? 0));
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
            scores.AddRange(batchScores);
            labels.AddRange(b.Labels.AsSpan(0, b.Size));
        }
        return (scores.ToArray(), labels.ToArray());
    }

    public static double[] Score(TabularNet net, Dataset data, Device device) => Score(net, new InMemorySource(data, 0), device).Scores;

    public static Dictionary<string, double> Evaluate(TabularNet net, IExampleSource data, Device device)
    {
        var (scores, labels) = Score(net, data, device);
        return Metrics.Compute(net.Spec.Kind, scores, labels, net.Spec.Outputs);
    }
}
