using System.Text.Json;
using System.Text.Json.Nodes;
using Streaming.Core;
using Streaming.Stats;

namespace Streaming.Validation;

/// <summary>
/// What the data is expected to look like, as TFDV's schema: per column its kind, how much may be missing, the
/// numeric range and the categorical domain, and the drift thresholds. Inferred from a statistics artifact
/// (<c>mapper schema</c>), then a plain JSON file people edit (README, "Data validation").
/// </summary>
public sealed class Schema
{
    public const int Version = 1;
    /// <summary>Default drift thresholds (TFDV's usual starting points): L∞ for categorical, Jensen–Shannon for numeric.</summary>
    public const double DefaultLInfinity = 0.1, DefaultJensenShannon = 0.1;

    public List<ColumnSchema> Columns { get; init; } = [];

    public sealed class ColumnSchema
    {
        public required string Name { get; init; }
        public int Index { get; init; }
        public required string Kind { get; init; }
        /// <summary>The largest fraction of missing values that is not an anomaly.</summary>
        public double MaxMissingFraction { get; init; }
        public double? Min { get; init; }
        public double? Max { get; init; }
        /// <summary>Known categorical values (null: the vocabulary was not exact, no domain check).</summary>
        public List<string>? Domain { get; init; }
        /// <summary>The largest share of values outside the domain that is not an anomaly.</summary>
        public double MaxUnseenFraction { get; init; }
        /// <summary>Drift threshold against a baseline: L∞ (categorical) or Jensen–Shannon divergence (numeric).</summary>
        public double DriftThreshold { get; init; }
    }

    /// <summary>Slack an inferred schema leaves, so tomorrow's ordinary fluctuation is not an alert (edit to taste).</summary>
    public const double MissingSlack = 0.25, MissingFloor = 0.005, RangeSlack = 0.1;

    /// <summary>
    /// The schema the statistics satisfy, with slack: a column with no missing value is required (0 %); otherwise the
    /// observed missing fraction + 25 % (+ 0.5 points); the numeric range widened by 10 % of its span each way; the
    /// categorical domain when the vocabulary is exact (no value outside it allowed).
    /// </summary>
    public static Schema Infer(IReadOnlyList<ColumnStats> stats) => new()
    {
        Columns = stats.OrderBy(s => s.Index).Select(s =>
        {
            long rows = s.Count + s.Missing;
            double missing = rows == 0 ? 0 : (double)s.Missing / rows;
            double span = s.IsNumeric ? s.Max - s.Min : 0;
            return new ColumnSchema
            {
                Name = s.Name, Index = s.Index, Kind = s.Kind,
                MaxMissingFraction = missing == 0 ? 0 : Math.Min(1, missing * (1 + MissingSlack) + MissingFloor),
                Min = s.IsNumeric ? s.Min - RangeSlack * span : null, Max = s.IsNumeric ? s.Max + RangeSlack * span : null,
                Domain = !s.IsNumeric && s.DistinctExact ? s.Top.Ordered().Select(t => t.Value).Order(StringComparer.Ordinal).ToList() : null,
                DriftThreshold = s.IsNumeric ? DefaultJensenShannon : DefaultLInfinity,
            };
        }).ToList(),
    };

    public string ToJson()
    {
        var root = new JsonObject { ["version"] = Version };
        var columns = new JsonArray();
        foreach (var c in Columns)
        {
            var o = new JsonObject
            {
                ["name"] = c.Name, ["index"] = c.Index, ["kind"] = c.Kind, ["max_missing_fraction"] = c.MaxMissingFraction,
            };
            if (c.Min is { } min) o["min"] = min;
            if (c.Max is { } max) o["max"] = max;
            if (c.Domain is { } d)
            {
                o["domain"] = new JsonArray(d.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
                o["max_unseen_fraction"] = c.MaxUnseenFraction;
            }
            o["drift_threshold"] = c.DriftThreshold;
            columns.Add((JsonNode)o);
        }
        root["columns"] = columns;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Reads a schema file; anything malformed is a configuration error naming the file and the field.</summary>
    public static Schema Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException("schema", $"{path}: no such file");
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new FormatException("empty");
            if ((int?)root["version"] != Version) throw new FormatException($"version must be {Version}");
            var schema = new Schema();
            foreach (var c in root["columns"]?.AsArray() ?? throw new FormatException("no \"columns\""))
            {
                if (c is null) continue;
                string kind = (string?)c["kind"] ?? throw new FormatException("a column without \"kind\"");
                if (kind is not ("numeric" or "categorical")) throw new FormatException($"kind must be numeric or categorical, got '{kind}'");
                schema.Columns.Add(new ColumnSchema
                {
                    Name = (string?)c["name"] ?? throw new FormatException("a column without \"name\""),
                    Index = (int?)c["index"] ?? schema.Columns.Count,
                    Kind = kind,
                    MaxMissingFraction = (double?)c["max_missing_fraction"] ?? 0,
                    Min = (double?)c["min"], Max = (double?)c["max"],
                    Domain = c["domain"]?.AsArray().Select(v => (string?)v ?? throw new FormatException("a null in a domain")).ToList(),
                    MaxUnseenFraction = (double?)c["max_unseen_fraction"] ?? 0,
                    DriftThreshold = (double?)c["drift_threshold"] ?? (kind == "numeric" ? DefaultJensenShannon : DefaultLInfinity),
                });
            }
            return schema;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new ConfigException("schema", $"{path} is not a schema: {e.Message}");
        }
    }
}
