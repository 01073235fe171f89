using Streaming.Trainer.Data;
using Streaming.Trainer.Model;

namespace Streaming.Trainer.Training;

/// <summary>Runs a model in evaluation mode over a dataset and returns scores in the label's units.</summary>
public static class Scorer
{
    /// <summary>Regression: predictions; binary: P(class 1); multiclass: probabilities row-major.</summary>
    public static double[] Score(TabularMlp model, Dataset data, int batchSize = 1024)
    {
        var spec = model.Spec;
        int outs = spec.Outputs;
        var scores = new double[data.Count * (spec.Kind == TaskKind.Multiclass ? outs : 1)];
        int row = 0;
        foreach (var b in BatchStream.Epoch(data, batchSize, shuffle: false, seed: 0))
        {
            var y = model.Forward(b, training: false);
            for (int i = 0; i < b.Size; i++, row++)
            {
                switch (spec.Kind)
                {
                    case TaskKind.Regression: scores[row] = y[i] * spec.LabelStd + spec.LabelMean; break;
                    case TaskKind.Binary: scores[row] = Losses.Sigmoid(y[i]); break;
                    default: Losses.Softmax(y.AsSpan(i * outs, outs), scores.AsSpan(row * outs, outs)); break;
                }
            }
        }
        return scores;
    }

    public static Dictionary<string, double> Evaluate(TabularMlp model, Dataset data) =>
        Metrics.Compute(model.Spec.Kind, Score(model, data), data.Labels, model.Spec.Outputs);
}
