namespace Streaming.Trainer.Compute;

/// <summary>
/// The few dense kernels the model needs, on row-major float32 buffers. Model code only talks to this interface, so
/// a GPU backend can be added without touching layers, losses or the optimizer. Implementations must be
/// deterministic: each output element is computed by one thread in a fixed order, so a seed fixes the result.
/// </summary>
public interface IComputeBackend
{
    string Name { get; }

    /// <summary>C[m×n] (+)= A[m×k] · B[k×n].</summary>
    void MatMul(float[] a, float[] b, float[] c, int m, int k, int n, bool accumulate = false);

    /// <summary>C[m×k] = A[m×n] · B[k×n]ᵀ (input gradient of a dense layer).</summary>
    void MatMulTransposeB(float[] a, float[] b, float[] c, int m, int n, int k);

    /// <summary>C[k×n] (+)= A[m×k]ᵀ · B[m×n] (weight gradient of a dense layer).</summary>
    void MatMulTransposeA(float[] a, float[] b, float[] c, int m, int k, int n, bool accumulate = true);

    /// <summary>Adds v[n] to each of the m rows of x.</summary>
    void AddRowVector(float[] x, float[] v, int m, int n);

    /// <summary>into[n] += column sums of x[m×n].</summary>
    void AccumulateColumnSums(float[] x, float[] into, int m, int n);

    void Relu(float[] x, int length);

    /// <summary>grad[i] = 0 where the forward output y[i] was 0.</summary>
    void ReluBackward(float[] y, float[] grad, int length);

    /// <summary>One AdamW step over a parameter buffer (decoupled weight decay).</summary>
    void AdamStep(float[] w, float[] g, float[] m, float[] v, float lr, float beta1, float beta2, float eps, float weightDecay, int step);
}
