using System.Diagnostics;
using System.Numerics.Tensors;
using Streaming.Core;
using Streaming.Data;

namespace Streaming.Model;

/// <summary>
/// The network's forward pass without libtorch, on <see cref="TensorPrimitives"/>: what a map task scoring rows
/// (<c>mapper predict</c>) and <c>trainer predict</c> run, so scoring needs neither libtorch (~480 MB) nor a GPU.
/// Same tensors and layout as the TorchSharp module (Linear weights [out, in], so each output is one dot product of
/// contiguous rows); results agree with libtorch's to float rounding (tested to 1e-5).
/// </summary>
public sealed class MlpScorer
{
    private readonly ModelSpec _spec;
    private readonly float[][] _embeddings;
    private readonly (float[] W, float[] B, int In, int Out)[] _layers;
    private readonly float[] _a, _b;   // activations ping-pong, one row at a time
    private readonly int[] _binColumns;
    private readonly float[] _binLow, _binInverseWidth;

    public MlpScorer(ModelSpec spec, IReadOnlyDictionary<string, NamedTensor> weights)
    {
        _spec = spec;
        (_binColumns, _binLow, _binInverseWidth) = spec.PiecewiseBins();
        NamedTensor Get(string name) => weights.TryGetValue(name, out var t) ? t : throw new ConfigException($"the model has no tensor {name}");
        _embeddings = spec.Embeddings.Select((_, i) => Get(ModelSpec.EmbeddingWeight(i)).Data).ToArray();
        var layers = new List<(float[], float[], int, int)>();
        int width = spec.InputWidth;
        for (int l = 0; l < spec.Hidden.Length; l++)
        {
            layers.Add((Get(ModelSpec.HiddenWeight(l)).Data, Get(ModelSpec.HiddenBias(l)).Data, width, spec.Hidden[l]));
            width = spec.Hidden[l];
        }
        layers.Add((Get(ModelSpec.HeadWeight).Data, Get(ModelSpec.HeadBias).Data, width, spec.Outputs));
        _layers = layers.ToArray();
        foreach (var (w, b, i, o) in _layers)
            if (w.Length != i * o || b.Length != o) throw new ConfigException("the model's tensors do not match its architecture");
        int max = Math.Max(spec.InputWidth, spec.Hidden.DefaultIfEmpty(0).Max());
        _a = new float[Math.Max(max, spec.Outputs)];
        _b = new float[_a.Length];
    }

    public ModelSpec Spec => _spec;

    /// <summary>Raw outputs (standardised regression value or logits) of a batch: [Size × Outputs].</summary>
    public void Forward(Batch batch, Span<float> outputs)
    {
        int nw = _spec.NumericWidth, nc = _embeddings.Length, outs = _spec.Outputs;
        Debug.Assert(outputs.Length >= batch.Size * outs);
        for (int row = 0; row < batch.Size; row++)
        {
            var x = _a.AsSpan();
            var numeric = batch.Numeric.AsSpan(row * nw, nw);
            numeric.CopyTo(x);
            int offset = nw;
            for (int k = 0; k < _binColumns.Length; k++)
                x[offset + k] = Math.Clamp((numeric[_binColumns[k]] - _binLow[k]) * _binInverseWidth[k], 0f, 1f);
            offset += _binColumns.Length;
            for (int e = 0; e < nc; e++)
            {
                int dim = _spec.Embeddings[e].Dim;
                int index = batch.Categorical[row * nc + e];
                Debug.Assert((uint)index < (uint)_spec.Embeddings[e].Cardinality, "the decoder checks indices against the vocabulary");
                _embeddings[e].AsSpan(index * dim, dim).CopyTo(x.Slice(offset, dim));
                offset += dim;
            }
            float[] input = _a, output = _b;
            for (int l = 0; l < _layers.Length; l++)
            {
                var (w, b, n, m) = _layers[l];
                var xin = input.AsSpan(0, n);
                var y = l == _layers.Length - 1 ? outputs.Slice(row * outs, outs) : output.AsSpan(0, m);
                for (int o = 0; o < m; o++) y[o] = TensorPrimitives.Dot(w.AsSpan(o * n, n), xin) + b[o];
                if (l < _layers.Length - 1)
                {
                    TensorPrimitives.Max(y, 0f, y);   // ReLU; dropout is the identity when scoring
                    (input, output) = (output, input);
                }
            }
        }
    }

    /// <summary>Scores in the label's units (see <see cref="ModelSpec.ToScores"/>) for every row of a data set.</summary>
    public double[] Score(Dataset data, int batchSize = 1024)
    {
        var scores = new double[data.Count * _spec.ScoreWidth];
        int row = 0;
        ScoreBatches(new InMemorySource(data, 0), (b, s) => { s.CopyTo(scores.AsSpan(row * _spec.ScoreWidth)); row += b.Size; }, batchSize);
        return scores;
    }

    /// <summary>Scores batch by batch in the source's fixed order (nothing kept: memory independent of the data).</summary>
    public void ScoreBatches(IExampleSource data, Action<Batch, ReadOnlySpan<double>> onBatch, int batchSize = 1024)
    {
        var outputs = new float[batchSize * _spec.Outputs];
        var scores = new double[batchSize * _spec.ScoreWidth];
        foreach (var b in data.Epoch(0, batchSize, shuffle: false))
        {
            Forward(b, outputs);
            var batchScores = scores.AsSpan(0, b.Size * _spec.ScoreWidth);
            _spec.ToScores(outputs.AsSpan(0, b.Size * _spec.Outputs), batchScores);
            onBatch(b, batchScores);
        }
    }

    public static MlpScorer Load(string modelDir, out ModelFile meta)
    {
        meta = ModelFile.LoadMeta(modelDir);
        return new MlpScorer(meta.Spec, ModelFile.LoadWeights(modelDir, meta));
    }
}
