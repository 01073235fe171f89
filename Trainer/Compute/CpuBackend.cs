using System.Numerics.Tensors;

namespace Streaming.Trainer.Compute;

/// <summary>
/// CPU backend: SIMD through <see cref="TensorPrimitives"/>, rows (or output rows) split across threads. Work is
/// partitioned so each output element has one writer and a fixed summation order (deterministic for any thread count).
/// </summary>
public sealed class CpuBackend : IComputeBackend
{
    private readonly ParallelOptions _parallel;
    private const int MinWorkPerTask = 32 * 1024;

    public CpuBackend(int threads = 0) =>
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };

    public string Name => $"cpu-simd({_parallel.MaxDegreeOfParallelism} threads, {System.Numerics.Vector<float>.Count * 32}-bit vectors)";

    private void For(int count, long workPerItem, Action<int, int> body)
    {
        int tasks = (int)Math.Clamp(count * workPerItem / MinWorkPerTask, 1, _parallel.MaxDegreeOfParallelism);
        if (tasks <= 1) { body(0, count); return; }
        int chunk = (count + tasks - 1) / tasks;
        Parallel.For(0, tasks, _parallel, t =>
        {
            int from = t * chunk, to = Math.Min(count, from + chunk);
            if (from < to) body(from, to);
        });
    }

    public void MatMul(float[] a, float[] b, float[] c, int m, int k, int n, bool accumulate = false) =>
        For(m, (long)k * n, (from, to) =>
        {
            for (int i = from; i < to; i++)
            {
                var ci = c.AsSpan(i * n, n);
                if (!accumulate) ci.Clear();
                var ai = a.AsSpan(i * k, k);
                for (int p = 0; p < k; p++)
                {
                    float x = ai[p];
                    if (x != 0) TensorPrimitives.MultiplyAdd(b.AsSpan(p * n, n), x, ci, ci);
                }
            }
        });

    public void MatMulTransposeB(float[] a, float[] b, float[] c, int m, int n, int k) =>
        For(m, (long)k * n, (from, to) =>
        {
            for (int i = from; i < to; i++)
            {
                var ai = a.AsSpan(i * n, n);
                var ci = c.AsSpan(i * k, k);
                for (int j = 0; j < k; j++) ci[j] = TensorPrimitives.Dot(ai, b.AsSpan(j * n, n));
            }
        });

    public void MatMulTransposeA(float[] a, float[] b, float[] c, int m, int k, int n, bool accumulate = true) =>
        For(k, (long)m * n, (from, to) =>
        {
            for (int p = from; p < to; p++)
            {
                var cp = c.AsSpan(p * n, n);
                if (!accumulate) cp.Clear();
                for (int i = 0; i < m; i++)
                {
                    float x = a[i * k + p];
                    if (x != 0) TensorPrimitives.MultiplyAdd(b.AsSpan(i * n, n), x, cp, cp);
                }
            }
        });

    public void AddRowVector(float[] x, float[] v, int m, int n)
    {
        for (int i = 0; i < m; i++) TensorPrimitives.Add(x.AsSpan(i * n, n), v.AsSpan(0, n), x.AsSpan(i * n, n));
    }

    public void AccumulateColumnSums(float[] x, float[] into, int m, int n)
    {
        var acc = into.AsSpan(0, n);
        for (int i = 0; i < m; i++) TensorPrimitives.Add(acc, x.AsSpan(i * n, n), acc);
    }

    public void Relu(float[] x, int length) => TensorPrimitives.Max(x.AsSpan(0, length), 0f, x.AsSpan(0, length));

    public void ReluBackward(float[] y, float[] grad, int length)
    {
        for (int i = 0; i < length; i++) if (y[i] <= 0) grad[i] = 0;
    }

    public void AdamStep(float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2, float eps, float weightDecay, int step)
    {
        float c1 = 1 - MathF.Pow(beta1, step), c2 = 1 - MathF.Pow(beta2, step);
        float stepSize = lr / c1;
        float sqrtC2 = MathF.Sqrt(c2);
        For(w.Length, 16, (from, to) =>
        {
            for (int i = from; i < to; i++)
            {
                float gi = g[i];
                m[i] = beta1 * m[i] + (1 - beta1) * gi;
                v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
                if (weightDecay != 0) w[i] -= lr * weightDecay * w[i];
                w[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) / sqrtC2 + eps);
            }
        });
    }
}
