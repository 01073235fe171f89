using System.Text.Json;
using System.Text.Json.Serialization;
using Streaming.Core;
using Streaming.Csv;

namespace Streaming.Transform;

/// <summary>
/// <c>_transform.json</c>: everything needed to turn a raw CSV row into the model's input, fixed once from the
/// statistics (tf.Transform's "transform graph"). Every map task, the Trainer and <c>trainer predict</c> read the same
/// document, so training and serving apply identical transforms. Documented field by field in README.md.
/// </summary>
public sealed record TransformPlan
{
    // Settable, not init-only: System.Text.Json's source generator sets every init-only member, so one absent from
    // the document would lose its default here (a plan without "compression" would read as null, not gzip).
    public int Version { get; set; } = 1;
    public required CsvSection Csv { get; set; }
    public LabelSpec? Label { get; set; }
    public required IReadOnlyList<FeatureSpec> Features { get; set; }
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
        var index = new Dictionary<string, int>();
        for (int i = 0; i < columns.Count; i++) index.TryAdd(columns[i], i);
        var missing = Features.Select(f => f.Source).Distinct().Where(c => !index.ContainsKey(c)).ToList();
        if (missing.Count > 0)
            throw new ConfigException($"the input lacks the model's feature column(s) {string.Join(", ", missing)} (its columns: {string.Join(",", columns)})");
        return this with
        {
            Csv = Csv with { Columns = [.. columns] },
            Features = [.. Features.Select(f => f with { SourceIndex = index[f.Source] })],
            Label = Label is { } l && index.TryGetValue(l.Name, out int li) ? l with { SourceIndex = li } : null,
        };
    }

    /// <summary>What the plan decided, in one line (mapper plan logs it: an operator sees the task it inferred).</summary>
    public string Summary()
    {
        string label = Label is null ? "no label" : $"label '{Label.Name}' → {Label.Task.Name()}" + (Label.Classes is { } c ? $" ({c.Count} classes)" : "");
        var numeric = Features.OfType<NumericFeature>().ToList();
        var categorical = Features.OfType<CategoricalFeature>().ToList();
        int indicators = Features.Count(f => f is MissingIndicatorFeature);
        string scales = string.Join("/", numeric.Select(f => f.Scale.Name()).Distinct());
        string cats = categorical.Count == 0 ? "" : $", {categorical.Count} categorical ({string.Join("/", categorical.Select(f => f.Encoding.Name()).Distinct())}, vocabularies {categorical.Min(f => f.VocabularySize)}–{categorical.Max(f => f.VocabularySize)})";
        return $"{label}; {Features.Count} features: {numeric.Count} numeric{(numeric.Count > 0 ? $" ({scales})" : "")}{cats}{(indicators > 0 ? $", {indicators} missing indicators" : "")}; compression {Compression}";
    }

    /// <summary>This plan reading input whose header line, if any, was already consumed.</summary>
    public TransformPlan WithoutHeader() => this with { Csv = Csv with { Header = "none" } };

    /// <summary>This plan without the label, for scoring rows that have none.</summary>
    public TransformPlan WithoutLabel() => this with { Label = null };

    public string ToJson() => JsonSerializer.Serialize(this, PlanJsonContext.Default.TransformPlan);

    /// <summary>
    /// <c>sha256:…</c> of the plan's canonical JSON (<see cref="ToJson"/>): equal for equal plans whatever the file's
    /// formatting, different for any other decision. Each shard's manifest record carries the hash of the plan that
    /// wrote it, so a reader refuses a shard of another plan (docs/contracts.md §2).
    /// </summary>
    public string Hash() =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ToJson())));

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
        Header = CsvOptions.ParseHeader(Csv.Header),
        Columns = Csv.Columns,
        MissingTokens = Csv.Missing,
        Trim = Csv.Trim,
        MaxLineBytes = Csv.MaxLineBytes,
    };
}

public sealed record CsvSection
{
    public string Delimiter { get; set; } = ",";
    public string Quote { get; set; } = "\"";
    public string Header { get; set; } = "auto";
    public IReadOnlyList<string> Columns { get; set; } = [];
    public IReadOnlyList<string> Missing { get; set; } = [.. CsvOptions.DefaultMissingTokens];
    public bool Trim { get; set; } = true;
    public int MaxLineBytes { get; set; } = 1 << 20;
}

public sealed class FeatureSpecEntry
{
    public required string Dtype { get; set; }
    public required int[] Shape { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TransformPlan))]
[JsonSerializable(typeof(FeatureDocument))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
