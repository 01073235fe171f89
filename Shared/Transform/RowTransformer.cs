using Streaming.Core;
using Streaming.Csv;
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
    private readonly FeatureSpec[] _features;   // an array, not the plan's list interface: two calls less per feature and row
    private readonly MissingValues _missing;
    private readonly ExampleEncoder _encoder = new();
    private readonly ExampleKey[] _keys;
    private readonly ExampleKey? _labelKey;
    private float[] _scratch = new float[16];

    /// <summary>Why the last rejected row was rejected: <see cref="RejectReason.BadValue"/> or <see cref="RejectReason.BadLabel"/>.</summary>
    public RejectReason LastRejectReason { get; private set; } = RejectReason.BadValue;

    /// <summary>Per feature: categorical values not in its vocabulary (mapped to an OOV bucket or the missing index).</summary>
    public long[] Unseen { get; }
    /// <summary>Per feature: numbers outside the training data's range (encoded as they are).</summary>
    public long[] OutOfRange { get; }

    public RowTransformer(TransformPlan plan)
    {
        _plan = plan;
        _features = [.. plan.Features];
        Unseen = new long[plan.Features.Count];
        OutOfRange = new long[plan.Features.Count];
        _missing = plan.ToCsvOptions().Missing;
        _keys = plan.Features.Select(f => ExampleEncoder.Key(f.Name)).ToArray();
        if (plan.Label is { } l) _labelKey = ExampleEncoder.Key(l.Name);
    }

    /// <summary>Transforms the row; on success <paramref name="example"/> holds the serialized Example (valid until the next call).</summary>
    public RowOutcome Transform(CsvLineParser row, out ReadOnlySpan<byte> example, out string? detail)
    {
        example = default;
        detail = null;
        LastRejectReason = RejectReason.BadValue;
        _encoder.Begin();
        var features = _features;
        for (int i = 0; i < features.Length; i++)
        {
            var f = features[i];
            var v = row[f.SourceIndex];
            switch (f.Encode(v, _missing.IsMissing(v), _encoder, _keys[i], ref _scratch))
            {
                case FeatureOutcome.Unseen: Unseen[i]++; break;
                case FeatureOutcome.OutOfRange: OutOfRange[i]++; break;
                case FeatureOutcome.NotANumber:
                    detail = $"column '{f.Source}': '{Bytes.Escape(v, 64)}' is not {f.Expected}";
                    return RowOutcome.Rejected;
            }
        }
        if (_plan.Label is { } label)
        {
            var v = row[label.SourceIndex];
            switch (label.Encode(v, _missing.IsMissing(v), _encoder, _labelKey!))
            {
                case LabelOutcome.Missing when label.MissingPolicy == LabelMissingPolicy.Drop:
                    return RowOutcome.DroppedMissingLabel;
                case LabelOutcome.Missing:
                    detail = $"label '{label.Name}' is missing";
                    return RowOutcome.Rejected;
                case LabelOutcome.NotAClass:
                    detail = $"label '{label.Name}': '{Bytes.Escape(v, 64)}' is not one of its {label.Classes!.Count} classes";
                    LastRejectReason = RejectReason.BadLabel;
                    return RowOutcome.Rejected;
                case LabelOutcome.NotANumber:
                    detail = $"label '{label.Name}': '{Bytes.Escape(v, 64)}' is not a number";
                    LastRejectReason = RejectReason.BadLabel;
                    return RowOutcome.Rejected;
            }
        }
        example = _encoder.End();
        return RowOutcome.Ok;
    }
}
