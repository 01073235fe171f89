using Streaming.Contract;
using System.Text.Json;
using System.Text.Json.Serialization;
using Streaming.Csv;

namespace Streaming.Transform;

/// <summary>
/// <c>_transform.json</c>: everything needed to turn a raw CSV row into the model's input, fixed once from the
/// statistics (tf.Transform's "transform graph"). Every map task, the Trainer and <c>trainer predict</c> read the same
/// document, so training and serving apply identical transforms. Documented field by field in README.md.
/// </summary>
public sealed class TransformPlan
{
    public int Version { get; set; } = 1;
    public required CsvSection Csv { get; set; }
    public LabelSpec? Label { get; set; }
    public required List<FeatureSpec> Features { get; set; }
    /// <summary>gzip | zlib | none: compression of the shards.</summary>
    public string Compression { get; set; } = "gzip";
    /// <summary>Per feature (and the label): dtype and shape, as <c>tf.io.FixedLenFeature(shape, dtype)</c> wants them.</summary>
    public Dictionary<string, FeatureSpecEntry> FeatureSpec { get; set; } = new();

    /// <summary>
    /// A copy that reads rows whose columns are <paramref name="columns"/> (by name, any order, extra columns ignored):
    /// each feature's source index points at its column there; the label is kept when the input has it. A feature
    /// column the input lacks is a configuration error naming every missing one.
    /// </summary>
    public TransformPlan ForInputColumns(IReadOnlyList<string> columns)
    {
        var copy = FromJson(ToJson());
        var index = new Dictionary<string, int>();
        for (int i = 0; i < columns.Count; i++) index.TryAdd(columns[i], i);
        var missing = copy.Features.Select(f => f.Source).Distinct().Where(c => !index.ContainsKey(c)).ToList();
        if (missing.Count > 0)
            throw new ConfigException($"the input lacks the model's feature column(s) {string.Join(", ", missing)} (its columns: {string.Join(",", columns)})");
        foreach (var f in copy.Features) f.SourceIndex = index[f.Source];
        if (copy.Label is { } l)
        {
            if (index.TryGetValue(l.Name, out int li)) l.SourceIndex = li;
            else copy.Label = null;
        }
        copy.Csv.Columns = columns.ToList();
        return copy;
    }

    /// <summary>What the plan decided, in one line (mapper plan logs it: an operator sees the task it inferred).</summary>
    public string Summary()
    {
        string label = Label is null ? "no label" : $"label '{Label.Name}' → {Label.Task}" + (Label.Classes is { } c ? $" ({c.Count} classes)" : "");
        var numeric = Features.Where(f => f.Type == FeatureTypes.Numeric).ToList();
        var categorical = Features.Where(f => f.Type == FeatureTypes.Categorical).ToList();
        int indicators = Features.Count(f => f.Type == FeatureTypes.MissingIndicator);
        string scales = string.Join("/", numeric.Select(f => f.Scale ?? "none").Distinct());
        string cats = categorical.Count == 0 ? "" : $", {categorical.Count} categorical ({string.Join("/", categorical.Select(f => f.Encoding ?? "index").Distinct())}, vocabularies {categorical.Min(f => f.VocabularySize)}–{categorical.Max(f => f.VocabularySize)})";
        return $"{label}; {Features.Count} features: {numeric.Count} numeric{(numeric.Count > 0 ? $" ({scales})" : "")}{cats}{(indicators > 0 ? $", {indicators} missing indicators" : "")}; compression {Compression}";
    }

    /// <summary>This plan reading input whose header line, if any, was already consumed.</summary>
    public TransformPlan WithoutHeader()
    {
        Csv.Header = "none";
        return this;
    }

    /// <summary>A copy without the label, for scoring rows that have none.</summary>
    public TransformPlan WithoutLabel()
    {
        var copy = FromJson(ToJson());
        copy.Label = null;
        return copy;
    }

    public string ToJson() => JsonSerializer.Serialize(this, PlanJsonContext.Default.TransformPlan);

    public static TransformPlan FromJson(string json, string source = "_transform.json")
    {
        try
        {
            var p = JsonSerializer.Deserialize(json, PlanJsonContext.Default.TransformPlan) ?? throw new JsonException("empty document");
            if (p.Version != 1) throw new ConfigException($"{source}: plan version {p.Version} is not supported (expected 1)");
            return p;
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{source} is not a transform plan: {e.Message}");
        }
    }

    public static TransformPlan Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"transform plan {path} not found");
        return FromJson(File.ReadAllText(path), path);
    }

    public CsvOptions ToCsvOptions() => new()
    {
        Delimiter = (byte)Csv.Delimiter[0],
        Quote = (byte)Csv.Quote[0],
        Header = Streaming.Csv.CsvOptions.ParseHeader(Csv.Header),
        Columns = Csv.Columns,
        MissingTokens = Csv.Missing,
        Trim = Csv.Trim,
        MaxLineBytes = Csv.MaxLineBytes,
    };
}

public sealed class CsvSection
{
    public string Delimiter { get; set; } = ",";
    public string Quote { get; set; } = "\"";
    public string Header { get; set; } = "auto";
    public List<string> Columns { get; set; } = [];
    public List<string> Missing { get; set; } = [.. CsvOptions.DefaultMissingTokens];
    public bool Trim { get; set; } = true;
    public int MaxLineBytes { get; set; } = 1 << 20;
}

public static class FeatureTypes
{
    public const string Numeric = "numeric";
    public const string Categorical = "categorical";
    public const string MissingIndicator = "missing_indicator";
}

/// <summary>One model input. Numeric: <c>(value or impute_value − offset) × factor</c> as float32.
/// Categorical: vocabulary index, then OOV buckets, then the missing index.</summary>
public sealed class FeatureSpec
{
    public required string Name { get; set; }
    public required string Source { get; set; }
    public int SourceIndex { get; set; }
    public required string Type { get; set; }

    // numeric
    public string? Impute { get; set; }
    public double? ImputeValue { get; set; }
    public string? Scale { get; set; }
    public double? Offset { get; set; }
    public double? Factor { get; set; }

    // categorical
    public string? Encoding { get; set; }
    public List<string>? Vocabulary { get; set; }
    public int? OovBuckets { get; set; }
    /// <summary>True when the vocabulary came from a heavy-hitters sketch (the column had more distinct values than tracked).</summary>
    public bool? VocabularyApproximate { get; set; }

    [JsonIgnore] public int VocabularySize => Vocabulary?.Count ?? 0;
    /// <summary>Number of distinct indices: vocabulary + OOV buckets + 1 (missing).</summary>
    [JsonIgnore] public int Cardinality => VocabularySize + (OovBuckets ?? 0) + 1;
    [JsonIgnore] public int MissingIndex => VocabularySize + (OovBuckets ?? 0);
    [JsonIgnore] public bool OneHot => Encoding == "onehot";
    [JsonIgnore] public string DType => Type == FeatureTypes.Categorical && !OneHot ? "int64" : "float32";
    [JsonIgnore] public int Length => Type == FeatureTypes.Categorical && OneHot ? Cardinality : 1;
}

public sealed class LabelSpec
{
    public required string Name { get; set; }
    public int SourceIndex { get; set; }
    /// <summary>regression | binary | multiclass.</summary>
    public required string Task { get; set; }
    /// <summary>Class values in index order (classification).</summary>
    public List<string>? Classes { get; set; }
    /// <summary>error | drop: what a row with a missing label does.</summary>
    public string MissingPolicy { get; set; } = "error";
    /// <summary>Other spellings of class values (e.g. the Adult test file's "&gt;50K." for "&gt;50K").</summary>
    public Dictionary<string, string>? Aliases { get; set; }
    [JsonIgnore] public string DType => Task == "regression" ? "float32" : "int64";
}

public sealed class FeatureSpecEntry
{
    public required string Dtype { get; set; }
    public required int[] Shape { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TransformPlan))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
