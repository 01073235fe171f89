using Streaming.Trainer.Compute;

namespace Streaming.Trainer.Model;

/// <summary>y = x·W + b, W [in×out]. Keeps its input for the backward pass.</summary>
public sealed class DenseLayer
{
    private readonly IComputeBackend _be;
    private float[] _x = [];
    private int _batch;

    public DenseLayer(string name, int inputs, int outputs, IComputeBackend be, Random rng)
    {
        _be = be;
        In = inputs;
        Out = outputs;
        W = new Parameter(name + ".weight", inputs * outputs, decay: true);
        B = new Parameter(name + ".bias", outputs, decay: false);
        // He initialisation (ReLU follows every hidden layer).
        double scale = Math.Sqrt(2.0 / inputs);
        for (int i = 0; i < W.Length; i++) W.Value[i] = (float)(Gaussian(rng) * scale);
    }

    public int In { get; }
    public int Out { get; }
    public Parameter W { get; }
    public Parameter B { get; }

    public void Forward(float[] x, float[] y, int batch)
    {
        _x = x;
        _batch = batch;
        _be.MatMul(x, W.Value, y, batch, In, Out);
        _be.AddRowVector(y, B.Value, batch, Out);
    }

    /// <summary>Accumulates dW, db; writes dx when asked (the first layer's input needs no gradient unless embeddings feed it).</summary>
    public void Backward(float[] dy, float[]? dx)
    {
        _be.MatMulTransposeA(_x, dy, W.Grad, _batch, In, Out, accumulate: true);
        _be.AccumulateColumnSums(dy, B.Grad, _batch, Out);
        if (dx is not null) _be.MatMulTransposeB(dy, W.Value, dx, _batch, Out, In);
    }

    internal static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}

/// <summary>One embedding table per categorical feature; lookups are written into the concatenated input row.</summary>
public sealed class EmbeddingLayer
{
    private int[] _idx = [];
    private int _batch;

    public EmbeddingLayer(string name, int cardinality, int dim, Random rng)
    {
        Cardinality = cardinality;
        Dim = dim;
        Table = new Parameter(name + ".embedding", cardinality * dim, decay: false);
        for (int i = 0; i < Table.Length; i++) Table.Value[i] = (float)(DenseLayer.Gaussian(rng) * 0.05);
    }

    public int Cardinality { get; }
    public int Dim { get; }
    public Parameter Table { get; }

    /// <summary>Copies row idx[i*stride+column] of the table into x[i*width+offset …].</summary>
    public void Forward(int[] idx, int stride, int column, float[] x, int width, int offset, int batch)
    {
        _idx = idx;
        _batch = batch;
        for (int i = 0; i < batch; i++)
        {
            int r = Math.Clamp(idx[i * stride + column], 0, Cardinality - 1);
            Table.Value.AsSpan(r * Dim, Dim).CopyTo(x.AsSpan(i * width + offset, Dim));
        }
    }

    public void Backward(int stride, int column, float[] dx, int width, int offset)
    {
        for (int i = 0; i < _batch; i++)
        {
            int r = Math.Clamp(_idx[i * stride + column], 0, Cardinality - 1);
            var g = Table.Grad.AsSpan(r * Dim, Dim);
            System.Numerics.Tensors.TensorPrimitives.Add(g, dx.AsSpan(i * width + offset, Dim), g);
        }
    }
}

/// <summary>Inverted dropout: scales kept units by 1/(1−p) in training, identity in evaluation.</summary>
public sealed class DropoutLayer(float rate)
{
    private float[] _mask = [];
    public float Rate { get; } = rate;

    public void Forward(float[] x, int length, bool training, Random rng)
    {
        if (!training || Rate <= 0) return;
        if (_mask.Length < length) _mask = new float[length];
        float keep = 1 / (1 - Rate);
        for (int i = 0; i < length; i++)
        {
            _mask[i] = rng.NextSingle() < Rate ? 0 : keep;
            x[i] *= _mask[i];
        }
    }

    public void Backward(float[] grad, int length, bool training)
    {
        if (!training || Rate <= 0) return;
        for (int i = 0; i < length; i++) grad[i] *= _mask[i];
    }

    /// <summary>For gradient checks: a fixed mask.</summary>
    internal void SetMask(float[] mask) => _mask = mask;
}
