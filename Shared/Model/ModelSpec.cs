using Streaming.Transform;

namespace Streaming.Model;

/// <summary>
/// Architecture of the tabular network, saved in <c>model.json</c>: an embedding per categorical index feature,
/// concatenated after the numeric features, dense+ReLU(+dropout) hidden layers, a linear head (1 output for
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

    public int InputWidth => NumericWidth + Embeddings.Sum(e => e.Dim);

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

public sealed class EmbeddingSpec
{
    public required string Feature { get; set; }
    public int Cardinality { get; set; }
    public int Dim { get; set; }

    /// <summary>Default dimension for a vocabulary size (the fast.ai rule of thumb, capped at 50).</summary>
    public static int DefaultDim(int cardinality) => Math.Clamp((int)Math.Round(1.6 * Math.Pow(cardinality, 0.56)), 2, 50);
}
