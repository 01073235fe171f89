using Streaming.Transform;
namespace Streaming.Model;

/// <summary>
/// Metrics over batches as they stream by, in memory independent of the number of rows: RMSE, MAE and R² for
/// regression (labels' mean and spread by Welford); accuracy and log-loss for classification; ROC AUC for binary
/// tasks. AUC needs every (score, label) pair: it is exact (rank sum over the kept pairs) up to
/// <see cref="ExactAucRows"/> rows, then the pairs fold into per-class histograms of the score with ~516,000 bins
/// (the float's exponent and top 11 mantissa bits of p below ½ and of 1 − p above: a relative resolution of 2^-11
/// at both ends), where two scores in one bin count as a tie — as Keras' streaming AUC does with 200 fixed
/// thresholds, but far finer (measured within 1e-4 of the exact AUC).
/// </summary>
public sealed class MetricsAccumulator(TaskKind task, int classes)
{
    public const int ExactAucRows = 1 << 22;
    public const int AucBins = 1 << 20;

    private long _n, _correct;
    private double _se, _ae, _ll, _labelMean, _labelM2;
    private List<(double Score, float Label)>? _pairs = task == TaskKind.Binary ? [] : null;
    private long[]? _positives, _negatives;

    public long Count => _n;

    /// <summary><paramref name="scores"/>: predictions (regression), P(class 1) (binary), or class probabilities row-major (multiclass).</summary>
    public void Add(ReadOnlySpan<double> scores, ReadOnlySpan<float> labels)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            _n++;
            float y = labels[i];
            switch (task)
            {
                case TaskKind.Regression:
                {
                    double d = scores[i] - y;
                    _se += d * d;
                    _ae += Math.Abs(d);
                    double delta = y - _labelMean;
                    _labelMean += delta / _n;
                    _labelM2 += delta * (y - _labelMean);
                    break;
                }
                case TaskKind.Binary:
                {
                    double p = Math.Clamp(scores[i], 1e-15, 1 - 1e-15);
                    _ll -= y > 0.5 ? Math.Log(p) : Math.Log(1 - p);
                    if ((p >= 0.5) == (y > 0.5)) _correct++;
                    AddAucPair(scores[i], y);
                    break;
                }
                default:
                {
                    var p = scores.Slice(i * classes, classes);
                    int label = (int)y, best = 0;
                    for (int c = 1; c < classes; c++) if (p[c] > p[best]) best = c;
                    if (best == label) _correct++;
                    _ll -= Math.Log(Math.Clamp(p[label], 1e-15, 1));
                    break;
                }
            }
        }
    }

    private void AddAucPair(double score, float label)
    {
        if (_pairs is not null)
        {
            _pairs.Add((score, label));
            if (_pairs.Count <= ExactAucRows) return;
            // Past the exact limit: every kept pair goes into the histograms, and so does every later one.
            (_positives, _negatives) = (new long[AucBins], new long[AucBins]);
            foreach (var (s, l) in _pairs) Bin(s, l);
            _pairs = null;
            return;
        }
        Bin(score, label);
    }

    private void Bin(double score, float label)
    {
        (label > 0.5 ? _positives! : _negatives!)[BinOf(score)]++;
    }

    /// <summary>
    /// A monotone bin of a probability: non-negative floats order as their bit patterns do, and above ½ the bins
    /// mirror those of 1 − p, so scores near 1 (a confident model's) are resolved as finely as those near 0.
    /// </summary>
    private static int BinOf(double score)
    {
        double p = Math.Clamp(score, 0, 1);
        const int Half = 0x3F000000 >>> 12;   // the bin of 0.5f
        return p <= 0.5 ? BitConverter.SingleToInt32Bits((float)p) >>> 12
            : 2 * Half - (BitConverter.SingleToInt32Bits((float)(1 - p)) >>> 12);
    }

    /// <summary>Whether the AUC reported is exact (false: from the histograms, see the class summary).</summary>
    public bool AucExact => _pairs is not null;

    public Dictionary<string, double> Result()
    {
        var m = new Dictionary<string, double> { ["count"] = _n };
        if (_n == 0) return m;
        switch (task)
        {
            case TaskKind.Regression:
                m["rmse"] = Math.Sqrt(_se / _n);
                m["mae"] = _ae / _n;
                m["r2"] = _labelM2 > 0 ? 1 - _se / _labelM2 : 0;
                break;
            case TaskKind.Binary:
                m["accuracy"] = (double)_correct / _n;
                m["logloss"] = _ll / _n;
                m["auc"] = _pairs is not null ? ExactAuc(_pairs) : HistogramAuc(_positives!, _negatives!);
                break;
            default:
                m["accuracy"] = (double)_correct / _n;
                m["logloss"] = _ll / _n;
                break;
        }
        return m;
    }

    private static double ExactAuc(List<(double Score, float Label)> pairs)
    {
        var scores = new double[pairs.Count];
        var labels = new float[pairs.Count];
        for (int i = 0; i < pairs.Count; i++) (scores[i], labels[i]) = pairs[i];
        return Metrics.Auc(scores, labels);
    }

    /// <summary>Mann–Whitney over bins: a positive beats every negative in a lower bin and ties (½) those in its own.</summary>
    private static double HistogramAuc(long[] positives, long[] negatives)
    {
        double wins = 0;
        long negativesBelow = 0, pos = 0, neg = 0;
        for (int b = 0; b < positives.Length; b++)
        {
            wins += positives[b] * (negativesBelow + 0.5 * negatives[b]);
            negativesBelow += negatives[b];
            pos += positives[b];
            neg += negatives[b];
        }
        return pos == 0 || neg == 0 ? double.NaN : wins / ((double)pos * neg);
    }
}
