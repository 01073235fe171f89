using Streaming.Data;
using Streaming.Model;
using Streaming.Trainer.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Streaming.Trainer.Training;

/// <summary>Moves whole batches to the device, and runs the network in evaluation mode over a data set.</summary>
public static class TorchScoring
{
    /// <summary>A batch as tensors on <paramref name="device"/>: numeric [B×F] float32, categorical [B×C] int64, labels [B].</summary>
    public static (Tensor Numeric, Tensor Categorical, Tensor Labels) ToDevice(Batch b, Device device)
    {
        int n = b.Size, nw = b.Numeric.Length / b.Capacity, nc = b.Categorical.Length / b.Capacity;
        // One host→device copy per tensor and batch; a short last batch is sliced before the copy.
        var numeric = torch.tensor(n == b.Capacity ? b.Numeric : b.Numeric[..(n * nw)], [n, nw]);
        var categorical = torch.tensor(n == b.Capacity ? b.Categorical : b.Categorical[..(n * nc)], [n, nc]).to(ScalarType.Int64);
        var labels = torch.tensor(n == b.Capacity ? b.Labels : b.Labels[..n], [n]);
        if (device.type == DeviceType.CPU) return (numeric, categorical, labels);
        return (numeric.to(device, non_blocking: true), categorical.to(device, non_blocking: true), labels.to(device, non_blocking: true));
    }

    /// <summary>Scores in the label's units (<see cref="ModelSpec.ToScores"/>) for every row, in order.</summary>
    public static double[] Score(TabularNet net, Dataset data, Device device, int batchSize = 4096)
    {
        var spec = net.Spec;
        var scores = new double[data.Count * spec.ScoreWidth];
        net.eval();
        using var _ = torch.no_grad();
        int row = 0;
        foreach (var b in BatchStream.Epoch(data, batchSize, shuffle: false, seed: 0))
        {
            using var scope = torch.NewDisposeScope();
            var (num, cat, _) = ToDevice(b, device);
            var outputs = net.call(num, cat).cpu().data<float>().ToArray();
            spec.ToScores(outputs, scores.AsSpan(row * spec.ScoreWidth, b.Size * spec.ScoreWidth));
            row += b.Size;
        }
        return scores;
    }

    public static Dictionary<string, double> Evaluate(TabularNet net, Dataset data, Device device) =>
        Metrics.Compute(net.Spec.Kind, Score(net, data, device), data.Labels, net.Spec.Outputs);
}
