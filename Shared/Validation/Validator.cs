using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Streaming.Core;
using Streaming.Stats;

namespace Streaming.Validation;

/// <summary>
/// Today's statistics against a schema (anomalies) and a baseline artifact (drift). Every distance is reported,
/// below its threshold too — TFDV reports only the ones above (tensorflow/data-validation#181) — so a trend is
/// visible before it becomes an alert.
/// </summary>
public sealed class Validator
{
    public sealed record Anomaly(string Column, string Type, string Description);

    public sealed record ColumnReport(string Column, int Index, string Kind, long Count, long Missing, double MissingFraction,
        string? DriftMetric, double? Distance, double? Threshold, double[]? Edges);

    public List<Anomaly> Anomalies { get; } = [];
    public List<ColumnReport> Columns { get; } = [];

    public static Validator Run(IReadOnlyList<ColumnStats> today, Schema? schema, IReadOnlyList<ColumnStats>? baseline)
    {
        var v = new Validator();
        var byName = today.ToDictionary(s => s.Name);
        var baseByName = baseline?.ToDictionary(s => s.Name);
        var expected = schema?.Columns.ToDictionary(c => c.Name);
        if (expected is not null)
        {
            foreach (var c in schema!.Columns.Where(c => !byName.ContainsKey(c.Name)))
                v.Anomalies.Add(new(c.Name, "MissingColumn", $"column '{c.Name}' of the schema is not in the data"));
            foreach (var s in today.Where(s => !expected.ContainsKey(s.Name)))
                v.Anomalies.Add(new(s.Name, "NewColumn", $"column '{s.Name}' is not in the schema"));
        }
        foreach (var s in today.OrderBy(s => s.Index))
        {
            long rows = s.Count + s.Missing;
            double missing = rows == 0 ? 0 : (double)s.Missing / rows;
            var c = expected?.GetValueOrDefault(s.Name);
            if (c is not null) v.CheckAgainstSchema(s, c, missing);
            string? metric = null;
            double? distance = null, threshold = null;
            double[]? edges = null;
            if (baseByName?.GetValueOrDefault(s.Name) is { } b)
            {
                threshold = c?.DriftThreshold ?? (s.IsNumeric ? Schema.DefaultJensenShannon : Schema.DefaultLInfinity);
                if (s.IsNumeric && b.IsNumeric)
                {
                    metric = "jensen_shannon";
                    edges = Drift.Edges(s, b);
                    distance = Drift.JensenShannon(Drift.Masses(s.Quantiles, edges), Drift.Masses(b.Quantiles, edges));
                }
                else
                {
                    metric = "l_infinity";
                    distance = Drift.LInfinity(s, b);
                }
                if (distance > threshold)
                    v.Anomalies.Add(new(s.Name, "Drift", $"{metric} {F(distance.Value)} against the baseline is above the threshold {F(threshold.Value)}"));
            }
            v.Columns.Add(new(s.Name, s.Index, s.Kind, s.Count, s.Missing, missing, metric, distance, threshold, edges));
        }
        return v;
    }

    private void CheckAgainstSchema(ColumnStats s, Schema.ColumnSchema c, double missing)
    {
        if (s.Kind != c.Kind)
            Anomalies.Add(new(s.Name, "KindChanged", $"kind is {s.Kind}, the schema says {c.Kind}"
                + (s.NonNumeric > 0 && c.Kind == "numeric" ? $" ({s.NonNumeric:N0} values are not numbers)" : "")));
        if (missing > c.MaxMissingFraction)
            Anomalies.Add(new(s.Name, "MissingValues", $"{F(missing * 100)} % missing, the schema allows {F(c.MaxMissingFraction * 100)} %"));
        if (s.IsNumeric && c.Kind == "numeric")
        {
            if (c.Min is { } min && s.Min < min) Anomalies.Add(new(s.Name, "ValueBelowMin", $"minimum {F(s.Min)} is below the schema's {F(min)}"));
            if (c.Max is { } max && s.Max > max) Anomalies.Add(new(s.Name, "ValueAboveMax", $"maximum {F(s.Max)} is above the schema's {F(max)}"));
        }
        if (c.Domain is { } domain && !s.IsNumeric)
        {
            var known = domain.ToHashSet(StringComparer.Ordinal);
            var unseen = s.Top.Ordered().Where(t => !known.Contains(t.Value)).ToList();
            double share = s.Count == 0 ? 0 : (double)unseen.Sum(t => t.Count) / s.Count;
            if (unseen.Count > 0 && share > c.MaxUnseenFraction)
                Anomalies.Add(new(s.Name, "UnseenValues", $"{unseen.Count:N0} value(s) outside the domain, {F(share * 100)} % of values: "
                    + string.Join(", ", unseen.Take(5).Select(t => $"'{t.Value}' ({t.Count:N0})")) + (unseen.Count > 5 ? ", …" : "")));
        }
    }

    private static string F(double x) => x.ToString("G4", CultureInfo.InvariantCulture);

    public string ToJson()
    {
        var root = new JsonObject
        {
            ["anomaly_count"] = Anomalies.Count,
            ["anomalies"] = new JsonArray(Anomalies.Select(a => (JsonNode)new JsonObject
            {
                ["column"] = a.Column, ["type"] = a.Type, ["description"] = a.Description,
            }).ToArray()),
            ["columns"] = new JsonArray(Columns.Select(c =>
            {
                var o = new JsonObject
                {
                    ["column"] = c.Column, ["index"] = c.Index, ["kind"] = c.Kind, ["count"] = c.Count, ["missing"] = c.Missing,
                    ["missing_fraction"] = c.MissingFraction,
                };
                if (c.DriftMetric is not null)
                {
                    o["drift"] = new JsonObject
                    {
                        ["metric"] = c.DriftMetric, ["distance"] = c.Distance, ["threshold"] = c.Threshold, ["exceeded"] = c.Distance > c.Threshold,
                    };
                    if (c.Edges is { } e) o["drift"]!["bin_edges"] = new JsonArray(e.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());
                }
                return (JsonNode)o;
            }).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Reads a report written by <see cref="ToJson"/> (for <c>mapper report --validation</c>).</summary>
    public static Validator FromJson(string json, string path)
    {
        try
        {
            var root = JsonNode.Parse(json) ?? throw new FormatException("empty");
            var v = new Validator();
            foreach (var a in root["anomalies"]?.AsArray() ?? throw new FormatException("no \"anomalies\""))
                v.Anomalies.Add(new((string)a!["column"]!, (string)a["type"]!, (string)a["description"]!));
            foreach (var c in root["columns"]?.AsArray() ?? throw new FormatException("no \"columns\""))
            {
                var d = c!["drift"];
                v.Columns.Add(new((string)c["column"]!, (int)c["index"]!, (string)c["kind"]!, (long)c["count"]!, (long)c["missing"]!,
                    (double)c["missing_fraction"]!, (string?)d?["metric"], (double?)d?["distance"], (double?)d?["threshold"],
                    d?["bin_edges"]?.AsArray().Select(e => (double)e!).ToArray()));
            }
            return v;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NullReferenceException)
        {
            throw new ConfigException("validation", $"{path} is not a validation report: {e.Message}");
        }
    }

    /// <summary>A short summary for a person (stderr): one line, then one per anomaly (at most 20), then the distances.</summary>
    public IEnumerable<string> Summary()
    {
        int drifted = Anomalies.Count(a => a.Type == "Drift");
        yield return Anomalies.Count == 0
            ? $"validate: clean — {Columns.Count} columns, no anomaly"
            : $"validate: {Anomalies.Count} anomal{(Anomalies.Count == 1 ? "y" : "ies")} in {Anomalies.Select(a => a.Column).Distinct().Count()} column(s), {drifted} over a drift threshold";
        foreach (var a in Anomalies.Take(20)) yield return $"  {a.Column}: {a.Type}: {a.Description}";
        if (Anomalies.Count > 20) yield return $"  … {Anomalies.Count - 20} more in the report";
        var distances = Columns.Where(c => c.Distance is not null).ToList();
        if (distances.Count > 0)
            yield return "  drift: " + string.Join(", ", distances.Select(c => $"{c.Column} {F(c.Distance!.Value)}"));
    }
}
