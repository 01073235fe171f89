using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Streaming.Trainer.Training;

/// <summary>
/// AdamW (decoupled weight decay) over all of a module's parameters packed into one contiguous buffer, the idea of
/// apex's FusedAdam and PyTorch's foreach optimizers. TorchSharp's optimizers issue ~8 tensor ops per parameter
/// tensor from C# each step (17 tensors in the Black Friday model: ~140 small ops, a fifth of a 1-thread step);
/// here each parameter and its gradient are views into flat buffers, so a step is ~8 ops over one long vector
/// whatever the layer count, and zeroing the gradients is one fill.
/// While the optimizer lives, autograd accumulates into the flat gradient in place (AccumulateGrad adds into an
/// existing dense .grad when grad mode is off during backward); <see cref="Dispose"/> gives every parameter its own
/// storage back, so nothing saved or loaded afterwards sees the packing.
/// The update, per element (torch.optim.AdamW's, op for op; tests/OptimizerParity compares them): p ← p·(1 − lr·λ) where decayed; m ← m + (1 − β₁)(g − m); v ← β₂v + (1 − β₂)g²;
/// p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
/// </summary>
public sealed class FlatAdamW : IDisposable
{
    private readonly List<Parameter> parameters;
    private readonly Tensor values, grads, expAvg, expAvgSq;
    // The decayed parameters' stretches of the flat buffer (views): decay is PyTorch's p.mul_(1 − lr·λ) on each, so the
    // update rounds as torch.optim.AdamW's does (a masked p − p·lr·λ drifts from it by an ulp a step).
    private readonly List<Tensor> decayed = [];
    private readonly double weightDecay, beta1, beta2, eps;
    private long step;

    /// <param name="decays">Which parameters take weight decay (dense weights, not biases or embeddings).</param>
    public FlatAdamW(IEnumerable<Parameter> parameters, Func<Parameter, bool> decays, double lr, double weightDecay,
                     double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        this.parameters = parameters.ToList();
        if (this.parameters.Count == 0) throw new ArgumentException("no parameters to optimise", nameof(parameters));
        (LearningRate, this.weightDecay, this.beta1, this.beta2, this.eps) = (lr, weightDecay, beta1, beta2, eps);
        var first = this.parameters[0];
        var (dtype, device) = (first.dtype, first.device);
        long total = this.parameters.Sum(p => p.numel());
        values = torch.empty(total, dtype: dtype, device: device);
        grads = torch.zeros(total, dtype: dtype, device: device);
        expAvg = torch.zeros(total, dtype: dtype, device: device);
        expAvgSq = torch.zeros(total, dtype: dtype, device: device);
        using var _ = torch.no_grad();
        long offset = 0;
        foreach (var p in this.parameters)
        {
            if (p.dtype != dtype || p.device_type != device.type || p.device_index != device.index)
                throw new ArgumentException("all parameters must share one dtype and device");
            long n = p.numel();
            var slot = values.narrow(0, offset, n).view(p.shape);
            slot.copy_(p);
            p.set_(slot);   // the parameter now lives in the flat buffer (same shape, same values)
            p.grad = grads.narrow(0, offset, n).view(p.shape);
            if (weightDecay > 0 && decays(p)) decayed.Add(values.narrow(0, offset, n));
            offset += n;
        }
        Debug.Assert(offset == total);
    }

    /// <summary>The learning rate of the next <see cref="Step"/> (a schedule sets it before each).</summary>
    public double LearningRate { get; set; }

    /// <summary>Optimizer steps taken: TensorFlow's global step (TensorBoard's x axis).</summary>
    public long Steps => step;

    /// <summary>Zeroes every gradient with one fill (the gradients stay views of the flat buffer).</summary>
    public void ZeroGrad() => grads.zero_();

    public void Step()
    {
        step++;
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        double lr = LearningRate;
        foreach (var stretch in decayed) stretch.mul_(1 - lr * weightDecay);
        expAvg.lerp_(grads, 1 - beta1);
        expAvgSq.mul_(beta2).addcmul_(grads, grads, 1 - beta2);
        double biasCorrection1 = 1 - Math.Pow(beta1, step), biasCorrection2 = 1 - Math.Pow(beta2, step);
        var denom = expAvgSq.sqrt().div_(Math.Sqrt(biasCorrection2)).add_(eps);
        values.addcdiv_(expAvg, denom, -lr / biasCorrection1);
    }

    /// <summary>The optimizer's whole state on the host: weights, moments, step (for a checkpoint).</summary>
    public (float[] Values, float[] ExpAvg, float[] ExpAvgSq, long Step) Export()
    {
        static float[] Host(Tensor t) { using var cpu = t.detach().cpu(); return cpu.data<float>().ToArray(); }
        return (Host(values), Host(expAvg), Host(expAvgSq), step);
    }

    /// <summary>Restores <see cref="Export"/>'s state (the parameters change in place: they are views of the buffer).</summary>
    public void Import(float[] weights, float[] m, float[] v, long steps)
    {
        if (weights.Length != values.numel() || m.Length != weights.Length || v.Length != weights.Length)
            throw new ArgumentException($"checkpoint holds {weights.Length} parameters, the model has {values.numel()}");
        using var _ = torch.no_grad();
        foreach (var (dst, src) in new[] { (values, weights), (expAvg, m), (expAvgSq, v) })
        {
            using var host = torch.tensor(src);
            dst.copy_(host);
        }
        step = steps;
    }

    public void Dispose()
    {
        using (torch.no_grad())
        {
            foreach (var p in parameters)
            {
                p.set_(p.detach().clone());   // its own storage again: the flat buffers can go
                p.grad = null;
            }
        }
        foreach (var t in decayed) t.Dispose();
        foreach (var t in new[] { values, grads, expAvg, expAvgSq }) t.Dispose();
    }
}
