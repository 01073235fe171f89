using Streaming.Transform;

namespace Streaming.Model;

/// <summary>
/// Architecture of the tabular network, saved in <c>model.json</c>: the numeric features, their piecewise-linear
/// encodings (<see cref="PiecewiseBins"/>), an embedding per categorical index feature, concatenated, dense+ReLU(+dropout) hidden layers, a linear head (1 output for
/// regression and binary, C for multiclass). The trainer's TorchSharp module, the libtorch-free
/// <see cref="MlpScorer"/> and the Python snippet in README.md all build this one network; its tensors carry the
/// PyTorch <c>state_dict</c> names given here.
/// </summary>
public sealed class ModelSpec
{
    public required TaskKind Task { get; set; }
    public int NumericWidth { get; set; }
    public List<EmbeddingSpec> Embeddings { get; set; } = [];
    public int[] Hidden { get; set; } = [256, 128];
    public float Dropout { get; set; }
    public int Outputs { get; set; } = 1;
    /// <summary>Regression targets are standardised for training; predictions are mapped back.</summary>
    public double LabelMean { get; set; }
    public double LabelStd { get; set; } = 1;

    /// <summary>Piecewise-linear encodings of numeric columns (the plan's quantile bins), after the numeric inputs.</summary>
    public List<PiecewiseSpec> Piecewise { get; set; } = [];

    public int PiecewiseWidth => Piecewise.Sum(p => p.Edges.Length - 1);
    public int InputWidth => NumericWidth + PiecewiseWidth + Embeddings.Sum(e => e.Dim);

    /// <summary>
    /// The piecewise-linear encoding, one entry per bin over all encoded columns: the numeric input it reads, its
    /// lower edge and 1 / its width, in float32 as every implementation computes it. Bin k's input is
    /// <c>clamp((numeric[Columns[k]] − Low[k]) × InverseWidth[k], 0, 1)</c>: 0 below the bin, 1 above, linear inside.
    /// </summary>
    public (int[] Columns, float[] Low, float[] InverseWidth) PiecewiseBins()
    {
        var columns = new List<int>();
        var low = new List<float>();
        var inverse = new List<float>();
        foreach (var p in Piecewise)
            for (int k = 1; k < p.Edges.Length; k++)
            {
                columns.Add(p.Column);
                low.Add((float)p.Edges[k - 1]);
                inverse.Add((float)(1.0 / (p.Edges[k] - p.Edges[k - 1])));
            }
        return (columns.ToArray(), low.ToArray(), inverse.ToArray());
    }

    // state_dict names: nn.ModuleList "embeddings", nn.Sequential "hidden" of (Linear, ReLU, Dropout) per layer, "head".
    public static string EmbeddingWeight(int i) => $"embeddings.{i}.weight";
    public static string HiddenWeight(int layer) => $"hidden.{3 * layer}.weight";
    public static string HiddenBias(int layer) => $"hidden.{3 * layer}.bias";
    public const string HeadWeight = "head.weight";
    public const string HeadBias = "head.bias";

    /// <summary>Every tensor of the network with its shape, in state_dict order (Linear weights are [out, in]).</summary>
    public IEnumerable<(string Name, int[] Shape)> Tensors()
    {
        for (int i = 0; i < Embeddings.Count; i++) yield return (EmbeddingWeight(i), [Embeddings[i].Cardinality, Embeddings[i].Dim]);
        int width = InputWidth;
        for (int l = 0; l < Hidden.Length; l++)
        {
            yield return (HiddenWeight(l), [Hidden[l], width]);
            yield return (HiddenBias(l), [Hidden[l]]);
            width = Hidden[l];
        }
        yield return (HeadWeight, [Outputs, width]);
        yield return (HeadBias, [Outputs]);
    }

    /// <summary>Scores in the label's units from raw outputs: the regression value, P(class 1), or class probabilities.</summary>
    public void ToScores(ReadOnlySpan<float> outputs, Span<double> scores)
    {
        switch (Task)
        {
            case TaskKind.Regression: for (int i = 0; i < outputs.Length; i++) scores[i] = outputs[i] * LabelStd + LabelMean; break;
            case TaskKind.Binary: for (int i = 0; i < outputs.Length; i++) scores[i] = Activations.Sigmoid(outputs[i]); break;
            default:
                for (int r = 0; r < outputs.Length / Outputs; r++)
                    Activations.Softmax(outputs.Slice(r * Outputs, Outputs), scores.Slice(r * Outputs, Outputs));
                break;
        }
    }

    /// <summary>Scores per row: 1 (regression, binary) or the class count.</summary>
    public int ScoreWidth => Task == TaskKind.Multiclass ? Outputs : 1;
}

/// <summary>One numeric input encoded piecewise-linearly: its position in the numeric inputs and its bin edges (scaled).</summary>
public sealed class PiecewiseSpec
{
    public required string Feature { get; set; }
    public int Column { get; set; }
    public required double[] Edges { get; set; }
}

public sealed class EmbeddingSpec
{
    public required string Feature { get; set; }
    public int Cardinality { get; set; }
    public int Dim { get; set; }

    /// <summary>
    /// The default dimension of every embedding (<c>--embedding-dim</c> sets another for all). Measured in
    /// scripts/bench-quality.sh, three seeds each: 16 for every feature beats the fast.ai rule of thumb (1.6·n^0.56)
    /// capped at 50 (earlier default) or at 16 — Black Friday's validation RMSE 2,804 against 2,857 and 2,843 (ids of a
    /// few rows each: 50 dimensions memorise them within three epochs), Adult's accuracy 0.873 against 0.873 and 0.872.
    /// </summary>
    public const int DefaultDim = 16;
}
