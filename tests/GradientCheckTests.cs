using Streaming.Trainer.Compute;
using Streaming.Trainer.Model;

namespace Streaming.Tests;

/// <summary>
/// Finite-difference checks of every layer and loss: analytic gradients of the whole model (embeddings → dense →
/// ReLU → dropout → dense → loss) against central differences, for each task's loss.
/// </summary>
public class GradientCheckTests
{
    private static Batch RandomBatch(Random rng, int n, int numeric, int[] cards, TaskKind task, int classes)
    {
        var b = new Batch(n, numeric, cards.Length) { Size = n };
        for (int i = 0; i < n * numeric; i++) b.Numeric[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < cards.Length; c++) b.Categorical[i * cards.Length + c] = rng.Next(cards[c]);
            b.Labels[i] = task switch { TaskKind.Regression => (float)rng.NextDouble(), TaskKind.Binary => rng.Next(2), _ => rng.Next(classes) };
        }
        return b;
    }

    private static double Loss(TabularMlp m, Batch b, float[] grad, bool backward)
    {
        var y = m.Forward(b, training: true, new Random(99));
        double loss = m.Spec.Kind switch
        {
            TaskKind.Regression => Losses.Mse(y, b.Labels, grad, b.Size),
            TaskKind.Binary => Losses.BinaryCrossEntropy(y, b.Labels, grad, b.Size),
            _ => Losses.SoftmaxCrossEntropy(y, b.Labels, grad, b.Size, m.Spec.Outputs),
        };
        if (backward) m.Backward(grad, b.Size);
        return loss;
    }

    [TestCase("regression", 0f)]
    [TestCase("binary", 0f)]
    [TestCase("multiclass", 0f)]
    [TestCase("regression", 0.3f)]
    public void WholeModelGradientsMatchFiniteDifferences(string task, float dropout)
    {
        var rng = new Random(3);
        int[] cards = [7, 4];
        int classes = 5;
        var spec = new ModelSpec
        {
            Task = task, NumericWidth = 3, Hidden = [6, 5], Dropout = dropout,
            Embeddings = [new EmbeddingSpec { Feature = "a", Cardinality = cards[0], Dim = 3 }, new EmbeddingSpec { Feature = "b", Cardinality = cards[1], Dim = 2 }],
            Outputs = task == "multiclass" ? classes : 1,
        };
        var model = new TabularMlp(spec, new CpuBackend(1), seed: 5);
        var batch = RandomBatch(rng, 8, spec.NumericWidth, cards, spec.Kind, classes);
        var grad = new float[8 * spec.Outputs];
        model.ZeroGrad();
        Loss(model, batch, grad, backward: true);   // the same dropout mask each call (seeded)
        int checkedCount = 0, kinks = 0;
        double f0 = Loss(model, batch, grad, false);
        const float h = 1e-3f;
        (double Central, double Forward, double Backward) Numeric(Parameter p, int i)
        {
            float keep = p.Value[i];
            p.Value[i] = keep + h; double up = Loss(model, batch, grad, false);
            p.Value[i] = keep - h; double down = Loss(model, batch, grad, false);
            p.Value[i] = keep;
            return ((up - down) / (2 * h), (up - f0) / h, (f0 - down) / h);
        }
        foreach (var p in model.Parameters)
        {
            var analytic = (float[])p.Grad.Clone();
            for (int i = 0; i < p.Length; i++)
            {
                var (numeric, forward, backward) = Numeric(p, i);
                double tolerance = 2e-3 + 2e-2 * Math.Abs(numeric);
                // A ReLU input within h of zero (e.g. exactly 0 when every input of a unit is 0) is a kink where the
                // loss has no derivative: the one-sided slopes disagree there.
                if (Math.Abs(forward - backward) > 2 * tolerance) { kinks++; continue; }
                Assert.That(analytic[i], Is.EqualTo(numeric).Within(tolerance), $"{p.Name}[{i}]");
                checkedCount++;
            }
        }
        Assert.That(kinks, Is.LessThanOrEqualTo(model.ParameterCount / 20), "only a few parameters sit on a ReLU kink");
        checkedCount += kinks;
        Assert.That(checkedCount, Is.EqualTo(model.ParameterCount));
    }

    [Test]
    public void LossGradientsMatchFiniteDifferences()
    {
        var rng = new Random(8);
        int n = 6, classes = 4;
        var z = Enumerable.Range(0, n * classes).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        var reg = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var bin = Enumerable.Range(0, n).Select(_ => (float)rng.Next(2)).ToArray();
        var cls = Enumerable.Range(0, n).Select(_ => (float)rng.Next(classes)).ToArray();
        var g = new float[n * classes];
        var tmp = new float[n * classes];
        foreach (var (name, width, f) in new (string, int, Func<float[], float[], double>)[]
        {
            ("mse", 1, (x, gr) => Losses.Mse(x, reg, gr, n)),
            ("bce", 1, (x, gr) => Losses.BinaryCrossEntropy(x, bin, gr, n)),
            ("softmax", classes, (x, gr) => Losses.SoftmaxCrossEntropy(x, cls, gr, n, classes)),
        })
        {
            var x = z[..(n * width)];
            f(x, g);
            for (int i = 0; i < x.Length; i++)
            {
                float keep = x[i];
                const float h = 1e-3f;
                x[i] = keep + h; double up = f(x, tmp);
                x[i] = keep - h; double down = f(x, tmp);
                x[i] = keep;
                Assert.That(g[i], Is.EqualTo((up - down) / (2 * h)).Within(1e-4), $"{name}[{i}]");
            }
        }
    }

    [Test]
    public void CpuKernelsAgreeWithNaiveLoopsForAnyThreadCount()
    {
        var rng = new Random(1);
        int m = 300, k = 70, n = 90;
        var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var naive = new float[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { double s = 0; for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j]; naive[i * n + j] = (float)s; }
        float[]? first = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var c = new float[m * n];
            new CpuBackend(threads).MatMul(a, b, c, m, k, n);
            for (int i = 0; i < c.Length; i++) Assert.That(c[i], Is.EqualTo(naive[i]).Within(1e-4));
            if (first is null) first = c; else Assert.That(c, Is.EqualTo(first), "bitwise identical for any thread count");
        }
    }
}
