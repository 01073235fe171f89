
namespace Streaming.Model;

/// <summary>Validation and test metrics: RMSE/MAE for regression; accuracy, AUC and log-loss for classification.</summary>
public static class Metrics
{
    /// <summary><paramref name="scores"/>: predictions (regression), P(class 1) (binary), or class probabilities row-major (multiclass).</summary>
    public static Dictionary<string, double> Compute(TaskKind task, ReadOnlySpan<double> scores, ReadOnlySpan<float> labels, int classes)
    {
        int n = labels.Length;
        var m = new Dictionary<string, double> { ["count"] = n };
        if (n == 0) return m;
        switch (task)
        {
            case TaskKind.Regression:
            {
                double se = 0, ae = 0, mean = 0;
                for (int i = 0; i < n; i++) mean += labels[i];
                mean /= n;
                double tss = 0;
                for (int i = 0; i < n; i++)
                {
                    double d = scores[i] - labels[i];
                    se += d * d;
                    ae += Math.Abs(d);
                    tss += (labels[i] - mean) * (labels[i] - mean);
                }
                m["rmse"] = Math.Sqrt(se / n);
                m["mae"] = ae / n;
                m["r2"] = tss > 0 ? 1 - se / tss : 0;
                break;
            }
            case TaskKind.Binary:
            {
                double ll = 0;
                int correct = 0;
                for (int i = 0; i < n; i++)
                {
                    double p = Math.Clamp(scores[i], 1e-15, 1 - 1e-15);
                    ll -= labels[i] > 0.5 ? Math.Log(p) : Math.Log(1 - p);
                    if ((p >= 0.5) == (labels[i] > 0.5)) correct++;
                }
                m["accuracy"] = (double)correct / n;
                m["logloss"] = ll / n;
                m["auc"] = Auc(scores, labels);
                break;
            }
            default:
            {
                double ll = 0;
                int correct = 0;
                for (int i = 0; i < n; i++)
                {
                    var p = scores.Slice(i * classes, classes);
                    int y = (int)labels[i], best = 0;
                    for (int c = 1; c < classes; c++) if (p[c] > p[best]) best = c;
                    if (best == y) correct++;
                    ll -= Math.Log(Math.Clamp(p[y], 1e-15, 1));
                }
                m["accuracy"] = (double)correct / n;
                m["logloss"] = ll / n;
                break;
            }
        }
        return m;
    }

    /// <summary>ROC AUC by the rank-sum (Mann–Whitney) formula, ties given their average rank.</summary>
    public static double Auc(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        int n = labels.Length;
        var idx = Enumerable.Range(0, n).ToArray();
        var s = scores.ToArray();
        Array.Sort(idx, (a, b) => s[a].CompareTo(s[b]));
        double rankSumPos = 0;
        long pos = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && s[idx[j + 1]] == s[idx[i]]) j++;
            double avgRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) if (labels[idx[k]] > 0.5) { rankSumPos += avgRank; pos++; }
            i = j + 1;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double)pos * neg);
    }

    /// <summary>The metric early stopping watches (lower is better).</summary>
    public static (string Name, double Value) Monitor(TaskKind task, Dictionary<string, double> m) =>
        task == TaskKind.Regression ? ("rmse", m["rmse"]) : ("logloss", m["logloss"]);
}
