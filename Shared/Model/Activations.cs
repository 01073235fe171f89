namespace Streaming.Model;

/// <summary>Output activations in double precision (numerically stable forms).</summary>
public static class Activations
{
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
