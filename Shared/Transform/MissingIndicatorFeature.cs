using Streaming.TfRecord;
using Streaming.Stats;

namespace Streaming.Transform;

/// <summary><c>COLUMN_missing</c>: 1.0 when the numeric column's value is missing, else 0.0 (float32).</summary>
public sealed record MissingIndicatorFeature : FeatureSpec
{
    public override string DType => "float32";
    public override int Length => 1;

    /// <summary>The plan step: nothing to learn from the statistics but the column.</summary>
    public static MissingIndicatorFeature Plan(ColumnStats s) => new() { Name = s.Name + "_missing", Source = s.Name, SourceIndex = s.Index };

    public override FeatureOutcome Encode(ReadOnlySpan<byte> value, bool missing, ExampleEncoder encoder, ExampleKey key, ref float[] scratch)
    {
        encoder.AddFloat(key, missing ? 1f : 0f);
        return FeatureOutcome.Encoded;
    }

    internal override FeatureDocument ToDocument() =>
        new() { Name = Name, Source = Source, SourceIndex = SourceIndex, Type = FeatureDocument.MissingIndicator };
}
