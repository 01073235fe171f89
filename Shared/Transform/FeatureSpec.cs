using System.Text.Json;
using System.Text.Json.Serialization;
using Streaming.TfRecord;

namespace Streaming.Transform;

/// <summary>What encoding one feature of a row came to.</summary>
public enum FeatureOutcome
{
    Encoded,
    /// <summary>A categorical value outside the vocabulary, encoded as its OOV bucket (or the missing index).</summary>
    Unseen,
    /// <summary>A numeric value outside the training data's range: encoded as any other, counted (scoring reports it per column).</summary>
    OutOfRange,
    /// <summary>A numeric feature's value that is not a finite number: the row is rejected.</summary>
    NotANumber,
}

/// <summary>
/// One model input of <c>_transform.json</c>: the source column it reads and what it becomes. One class per kind
/// (<see cref="NumericFeature"/>, <see cref="CategoricalFeature"/>, <see cref="MissingIndicatorFeature"/>) owns its
/// plan step (constants from the column's statistics) and its row transform, so nothing downstream switches on a
/// type string or dereferences a field another kind leaves empty. In JSON a feature is one flat object with a
/// <c>type</c> member (docs: README's plan section); <see cref="FeatureDocument"/> is that object.
/// </summary>
[JsonConverter(typeof(FeatureSpecConverter))]
public abstract record FeatureSpec
{
    public required string Name { get; init; }
    /// <summary>The CSV column the feature reads.</summary>
    public required string Source { get; init; }
    /// <summary>That column's index in the rows the plan reads (see <see cref="TransformPlan.ForInputColumns"/>).</summary>
    public int SourceIndex { get; init; }

    /// <summary><c>tf.io.FixedLenFeature</c>'s dtype: int64 for a category index, float32 otherwise.</summary>
    public abstract string DType { get; }
    /// <summary>Values per Example: 1, or the cardinality of a one-hot vector.</summary>
    public abstract int Length { get; }

    /// <summary>For an int64 index feature (the trainer embeds it): how many distinct indices; null for float features.</summary>
    public virtual int? IndexCardinality => null;

    /// <summary>What a value must be (the reason a row is rejected when <see cref="Encode"/> says NotANumber).</summary>
    public virtual string Expected => "a number";

    /// <summary>
    /// Adds this feature of one row to the Example being encoded. <paramref name="scratch"/> is the caller's reusable
    /// buffer (one per transformer, so a plan can be shared by threads).
    /// </summary>
    public abstract FeatureOutcome Encode(ReadOnlySpan<byte> value, bool missing, ExampleEncoder encoder, ExampleKey key, ref float[] scratch);

    internal abstract FeatureDocument ToDocument();
}

/// <summary>A feature as it stands in JSON: every kind's members, <c>type</c> saying which apply.</summary>
internal sealed class FeatureDocument
{
    public const string Numeric = "numeric", Categorical = "categorical", MissingIndicator = "missing_indicator", DatePart = "date_part";

    public string? Name { get; set; }
    public string? Source { get; set; }
    public int SourceIndex { get; set; }
    public string? Type { get; set; }
    public string? Impute { get; set; }
    public double? ImputeValue { get; set; }
    public ScaleKind? Scale { get; set; }
    public double? Offset { get; set; }
    public double? Factor { get; set; }
    public List<double>? Bins { get; set; }
    public double? Min { get; set; }
    public double? Max { get; set; }
    public CategoricalEncoding? Encoding { get; set; }
    public List<string>? Vocabulary { get; set; }
    public int? OovBuckets { get; set; }
    public bool? VocabularyApproximate { get; set; }
    public Transform.DatePart? Part { get; set; }

    public FeatureSpec ToFeature()
    {
        string name = Name ?? throw new JsonException("a feature has no 'name'");
        string source = Source ?? throw new JsonException($"feature '{name}' has no 'source'");
        T Need<T>(T? v, string member) where T : struct => v ?? throw new JsonException($"{Type} feature '{name}' has no '{member}'");
        return Type switch
        {
            Numeric => new NumericFeature
            {
                Name = name, Source = source, SourceIndex = SourceIndex,
                Impute = Impute ?? throw new JsonException($"numeric feature '{name}' has no 'impute'"),
                ImputeValue = Need(ImputeValue, "impute_value"), Scale = Need(Scale, "scale"),
                Offset = Need(Offset, "offset"), Factor = Need(Factor, "factor"),
                Bins = Bins is null ? null : Bins.Count >= 3 && Bins.Zip(Bins.Skip(1)).All(p => p.First < p.Second) ? Bins
                    : throw new JsonException($"numeric feature '{name}' has 'bins' that are not at least 3 increasing edges"),
                Min = Min, Max = Max,
            },
            Categorical => new CategoricalFeature
            {
                Name = name, Source = source, SourceIndex = SourceIndex,
                Encoding = Encoding ?? CategoricalEncoding.Index, Vocabulary = Vocabulary ?? [], OovBuckets = OovBuckets ?? 0,
                VocabularyApproximate = VocabularyApproximate ?? false,
            },
            MissingIndicator => new MissingIndicatorFeature { Name = name, Source = source, SourceIndex = SourceIndex },
            DatePart => new DatePartFeature
            {
                Name = name, Source = source, SourceIndex = SourceIndex, Part = Need(Part, "part"), Offset = Offset ?? 0, Factor = Factor ?? 1,
            },
            _ => throw new JsonException($"feature '{name}' has type '{Type}', not numeric|categorical|missing_indicator|date_part"),
        };
    }
}

internal sealed class FeatureSpecConverter : JsonConverter<FeatureSpec>
{
    public override FeatureSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        (JsonSerializer.Deserialize(ref reader, PlanJsonContext.Default.FeatureDocument) ?? throw new JsonException("a feature is null")).ToFeature();

    public override void Write(Utf8JsonWriter writer, FeatureSpec value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToDocument(), PlanJsonContext.Default.FeatureDocument);
}
