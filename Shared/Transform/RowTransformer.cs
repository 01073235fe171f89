using System.Globalization;
using System.Runtime.InteropServices;
using Streaming.Contract;
using Streaming.Csv;
using Streaming.Stats;
using Streaming.TfRecord;

namespace Streaming.Transform;

public enum RowOutcome { Ok, Rejected, DroppedMissingLabel }

/// <summary>
/// Applies a <see cref="TransformPlan"/> to one parsed CSV row and encodes the <c>tf.train.Example</c>
/// (tf.Transform's per-row "mapper" half). No allocation per row: vocabularies are looked up by span.
/// </summary>
public sealed class RowTransformer
{
    private readonly TransformPlan _plan;
    private readonly CsvOptions _csv;
    private readonly ExampleEncoder _encoder = new();
    private readonly byte[][] _keys;
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>>?[] _vocab;
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>>? _classes;
    private readonly byte[]? _labelKey;
    private float[] _onehot = new float[16];

    /// <summary>Why the last rejected row was rejected: <see cref="RejectReason.BadValue"/> or <see cref="RejectReason.BadLabel"/>.</summary>
    public RejectReason LastRejectReason { get; private set; } = RejectReason.BadValue;

    /// <summary>Per feature: categorical values not in its vocabulary (mapped to an OOV bucket or the missing index).</summary>
    public long[] Unseen { get; }

    public RowTransformer(TransformPlan plan)
    {
        _plan = plan;
        Unseen = new long[plan.Features.Count];
        _csv = plan.ToCsvOptions();
        _keys = plan.Features.Select(f => ExampleEncoder.Key(f.Name)).ToArray();
        _vocab = plan.Features.Select(f => f.Type == FeatureTypes.Categorical ? Lookup(f.Vocabulary ?? []) : (Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>>?)null).ToArray();
        if (plan.Label is { } l)
        {
            _labelKey = ExampleEncoder.Key(l.Name);
            if (l.Classes is not null) _classes = Lookup(l.Classes, l.Aliases);
        }
    }

    private static Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> Lookup(IReadOnlyList<string> values, IReadOnlyDictionary<string, string>? aliases = null)
    {
        var d = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        for (int i = 0; i < values.Count; i++) d.TryAdd(System.Text.Encoding.UTF8.GetBytes(values[i]), i);
        foreach (var (from, to) in aliases ?? new Dictionary<string, string>())
            d.TryAdd(System.Text.Encoding.UTF8.GetBytes(from), values.ToList().IndexOf(to));
        return d.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Transforms the row; on success <paramref name="example"/> holds the serialized Example (valid until the next call).</summary>
    public RowOutcome Transform(CsvLineParser row, out ReadOnlySpan<byte> example, out string? detail)
    {
        example = default;
        detail = null;
        LastRejectReason = RejectReason.BadValue;
        _encoder.Begin();
        var features = _plan.Features;
        for (int i = 0; i < features.Count; i++)
        {
            var f = features[i];
            var v = row[f.SourceIndex];
            bool missing = _csv.IsMissing(v);
            switch (f.Type)
            {
                case FeatureTypes.Numeric:
                    double x;
                    if (missing) x = f.ImputeValue!.Value;
                    else if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out x) || !double.IsFinite(x))
                    {
                        detail = $"column '{f.Source}': '{RejectedRows.Escape(v, 64)}' is not a number";
                        return RowOutcome.Rejected;
                    }
                    _encoder.AddFloat(_keys[i], (float)((x - f.Offset!.Value) * f.Factor!.Value));
                    break;
                case FeatureTypes.MissingIndicator:
                    _encoder.AddFloat(_keys[i], missing ? 1f : 0f);
                    break;
                default:
                    int index = missing ? f.MissingIndex : CategoryIndex(i, f, _vocab[i]!.Value, v);
                    if (f.OneHot)
                    {
                        int n = f.Cardinality;
                        if (_onehot.Length < n) _onehot = new float[n];
                        var span = _onehot.AsSpan(0, n);
                        span.Clear();
                        span[index] = 1f;
                        _encoder.AddFloats(_keys[i], span);
                    }
                    else _encoder.AddInt64(_keys[i], index);
                    break;
            }
        }
        if (_plan.Label is { } label)
        {
            var v = row[label.SourceIndex];
            if (_csv.IsMissing(v))
            {
                if (label.MissingPolicy == "drop") return RowOutcome.DroppedMissingLabel;
                detail = $"label '{label.Name}' is missing";
                return RowOutcome.Rejected;
            }
            if (_classes is { } classes)
            {
                if (!classes.TryGetValue(v, out int cls))
                {
                    detail = $"label '{label.Name}': '{RejectedRows.Escape(v, 64)}' is not one of its {label.Classes!.Count} classes";
                    LastRejectReason = RejectReason.BadLabel;
                    return RowOutcome.Rejected;
                }
                _encoder.AddInt64(_labelKey!, cls);
            }
            else
            {
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double y) || !double.IsFinite(y))
                {
                    detail = $"label '{label.Name}': '{RejectedRows.Escape(v, 64)}' is not a number";
                    LastRejectReason = RejectReason.BadLabel;
                    return RowOutcome.Rejected;
                }
                _encoder.AddFloat(_labelKey!, (float)y);
            }
        }
        example = _encoder.End();
        return RowOutcome.Ok;
    }

    private int CategoryIndex(int feature, FeatureSpec f, Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> vocab, ReadOnlySpan<byte> v)
    {
        if (vocab.TryGetValue(v, out int idx)) return idx;
        Unseen[feature]++;
        int oov = f.OovBuckets ?? 0;
        return oov == 0 ? f.MissingIndex : f.VocabularySize + OovHash.Bucket(v, oov);
    }
}
