using Streaming.Trainer.Compute;

namespace Streaming.Trainer.Model;

/// <summary>Architecture of the model, saved with it.</summary>
public sealed class ModelSpec
{
    public required string Task { get; set; }
    public int NumericWidth { get; set; }
    public List<EmbeddingSpec> Embeddings { get; set; } = [];
    public int[] Hidden { get; set; } = [256, 128];
    public float Dropout { get; set; }
    public int Outputs { get; set; } = 1;
    /// <summary>Regression targets are standardised for training; predictions are mapped back.</summary>
    public double LabelMean { get; set; }
    public double LabelStd { get; set; } = 1;

    public TaskKind Kind => Task switch { "regression" => TaskKind.Regression, "binary" => TaskKind.Binary, _ => TaskKind.Multiclass };
}

public sealed class EmbeddingSpec
{
    public required string Feature { get; set; }
    public int Cardinality { get; set; }
    public int Dim { get; set; }

    /// <summary>Default dimension for a vocabulary size (the fast.ai rule of thumb, capped at 50).</summary>
    public static int DefaultDim(int cardinality) => Math.Clamp((int)Math.Round(1.6 * Math.Pow(cardinality, 0.56)), 2, 50);
}

/// <summary>
/// Tabular MLP: an embedding per categorical index feature, concatenated with the numeric features, then dense+ReLU
/// (+dropout) layers and a linear head (1 output for regression and binary, C for multiclass).
/// </summary>
public sealed class TabularMlp
{
    private readonly IComputeBackend _be;
    private readonly EmbeddingLayer[] _emb;
    private readonly DenseLayer[] _dense;
    private readonly DropoutLayer[] _dropout;
    private int _capacity;
    private float[][] _acts = [];   // _acts[0] = input, _acts[l+1] = output of dense l (after ReLU for hidden)
    private float[][] _grads = [];

    public TabularMlp(ModelSpec spec, IComputeBackend backend, int seed)
    {
        Spec = spec;
        _be = backend;
        var rng = new Random(seed);
        _emb = spec.Embeddings.Select(e => new EmbeddingLayer(e.Feature, e.Cardinality, e.Dim, rng)).ToArray();
        InputWidth = spec.NumericWidth + spec.Embeddings.Sum(e => e.Dim);
        var widths = new[] { InputWidth }.Concat(spec.Hidden).Concat([spec.Outputs]).ToArray();
        _dense = Enumerable.Range(0, widths.Length - 1).Select(i => new DenseLayer($"dense{i}", widths[i], widths[i + 1], backend, rng)).ToArray();
        _dropout = spec.Hidden.Select(_ => new DropoutLayer(spec.Dropout)).ToArray();
        Parameters = _emb.Select(e => e.Table).Concat(_dense.SelectMany(d => new[] { d.W, d.B })).ToList();
    }

    public ModelSpec Spec { get; }
    public int InputWidth { get; }
    public IReadOnlyList<Parameter> Parameters { get; }
    public long ParameterCount => Parameters.Sum(p => (long)p.Length);
    public IComputeBackend Backend => _be;

    private void Ensure(int batch)
    {
        if (batch <= _capacity) return;
        _capacity = batch;
        var widths = new[] { InputWidth }.Concat(_dense.Select(d => d.Out)).ToArray();
        _acts = widths.Select(w => new float[batch * w]).ToArray();
        _grads = widths.Select(w => new float[batch * w]).ToArray();
    }

    /// <summary>Outputs [B×Outputs] (logits for classification); valid until the next call.</summary>
    public float[] Forward(Batch b, bool training, Random? rng = null)
    {
        int n = b.Size;
        Ensure(n);
        var x = _acts[0];
        int width = InputWidth, nw = Spec.NumericWidth, nc = _emb.Length;
        for (int i = 0; i < n; i++) b.Numeric.AsSpan(i * nw, nw).CopyTo(x.AsSpan(i * width, nw));
        int offset = nw;
        for (int e = 0; e < nc; e++)
        {
            _emb[e].Forward(b.Categorical, nc, e, x, width, offset, n);
            offset += _emb[e].Dim;
        }
        for (int l = 0; l < _dense.Length; l++)
        {
            _dense[l].Forward(_acts[l], _acts[l + 1], n);
            if (l < _dense.Length - 1)
            {
                _be.Relu(_acts[l + 1], n * _dense[l].Out);
                _dropout[l].Forward(_acts[l + 1], n * _dense[l].Out, training, rng ?? Random.Shared);
            }
        }
        return _acts[^1];
    }

    /// <summary>Back-propagates the loss gradient w.r.t. the outputs; accumulates parameter gradients.</summary>
    public void Backward(float[] dOut, int batch, bool training = true)
    {
        Array.Copy(dOut, _grads[^1], batch * Spec.Outputs);
        for (int l = _dense.Length - 1; l >= 0; l--)
        {
            bool needInput = l > 0 || _emb.Length > 0;
            _dense[l].Backward(_grads[l + 1], needInput ? _grads[l] : null);
            if (l > 0)
            {
                int len = batch * _dense[l - 1].Out;
                _dropout[l - 1].Backward(_grads[l], len, training);
                _be.ReluBackward(_acts[l], _grads[l], len);
            }
        }
        int offset = Spec.NumericWidth;
        for (int e = 0; e < _emb.Length; e++)
        {
            _emb[e].Backward(_emb.Length, e, _grads[0], InputWidth, offset);
            offset += _emb[e].Dim;
        }
    }

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    internal DropoutLayer[] DropoutLayers => _dropout;
}

/// <summary>AdamW over all parameters; weight decay only on parameters that take it (dense weights).</summary>
public sealed class AdamOptimizer(IReadOnlyList<Parameter> parameters, IComputeBackend be, float lr, float weightDecay = 0,
    float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f)
{
    public int Step { get; private set; }
    public float LearningRate { get; set; } = lr;

    public void Update()
    {
        Step++;
        foreach (var p in parameters)
            be.AdamStep(p.Value, p.Grad, p.M, p.V, LearningRate, beta1, beta2, eps, p.Decay ? weightDecay : 0, Step);
    }
}
