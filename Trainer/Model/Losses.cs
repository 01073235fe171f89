namespace Streaming.Trainer.Model;

public enum TaskKind { Regression, Binary, Multiclass }

/// <summary>Mean loss over a batch and its gradient with respect to the model outputs (logits).</summary>
public static class Losses
{
    /// <summary>Mean squared error; outputs [B×1].</summary>
    public static double Mse(float[] y, float[] t, float[] grad, int batch)
    {
        double sum = 0;
        for (int i = 0; i < batch; i++)
        {
            double d = y[i] - t[i];
            sum += d * d;
            grad[i] = (float)(2 * d / batch);
        }
        return sum / batch;
    }

    /// <summary>Binary cross-entropy on logits (numerically stable); outputs [B×1], targets 0/1.</summary>
    public static double BinaryCrossEntropy(float[] z, float[] t, float[] grad, int batch)
    {
        double sum = 0;
        for (int i = 0; i < batch; i++)
        {
            double x = z[i];
            sum += Math.Max(x, 0) - x * t[i] + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            grad[i] = (float)((Sigmoid(x) - t[i]) / batch);
        }
        return sum / batch;
    }

    /// <summary>Softmax cross-entropy; logits [B×C], targets class indices.</summary>
    public static double SoftmaxCrossEntropy(float[] z, float[] t, float[] grad, int batch, int classes)
    {
        double sum = 0;
        Span<double> p = stackalloc double[classes];
        for (int i = 0; i < batch; i++)
        {
            Softmax(z.AsSpan(i * classes, classes), p);
            int y = (int)t[i];
            sum -= Math.Log(Math.Max(p[y], 1e-300));
            for (int c = 0; c < classes; c++) grad[i * classes + c] = (float)((p[c] - (c == y ? 1 : 0)) / batch);
        }
        return sum / batch;
    }

    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    public static void Softmax(ReadOnlySpan<float> z, Span<double> p)
    {
        double max = double.NegativeInfinity;
        foreach (var v in z) max = Math.Max(max, v);
        double s = 0;
        for (int c = 0; c < z.Length; c++) s += p[c] = Math.Exp(z[c] - max);
        for (int c = 0; c < z.Length; c++) p[c] /= s;
    }
}
