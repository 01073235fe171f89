using Streaming.Transform;

namespace Streaming.Model;

/// <summary>Validation and test metrics: RMSE/MAE/R² for regression; accuracy, AUC and log-loss for classification (computed by <see cref="MetricsAccumulator"/>).</summary>
public static class Metrics
{
    /// <summary><paramref name="scores"/>: predictions (regression), P(class 1) (binary), or class probabilities row-major (multiclass).</summary>
    public static Dictionary<string, double> Compute(TaskKind task, ReadOnlySpan<double> scores, ReadOnlySpan<float> labels, int classes)
    {
        var m = new MetricsAccumulator(task, classes);
        m.Add(scores, labels);
        return m.Result();
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

    /// <summary>
    /// The metric early stopping watches, and <c>Loss</c>, the same number oriented so that lower is better: RMSE
    /// (regression), ROC AUC (binary: the loss can still fall while the ranking has stopped improving, or the
    /// reverse), log-loss (multiclass: accuracy on a small validation set moves in steps of one row and stops runs
    /// early by chance — Seattle weather, three seeds, macro-F1 0.49 mean watching accuracy, 0.53 watching log-loss).
    /// </summary>
    public static (string Name, double Loss) Monitor(TaskKind task, Dictionary<string, double> m) => task switch
    {
        TaskKind.Regression => ("rmse", m["rmse"]),
        TaskKind.Binary when double.IsFinite(m.GetValueOrDefault("auc", double.NaN)) => ("auc", -m["auc"]),
        TaskKind.Binary => ("logloss", m["logloss"]),   // a validation set of one class has no AUC
        _ => ("logloss", m["logloss"]),
    };
}
