namespace Streaming.Transform;

/// <summary>A setting for all columns with per-column overrides: <c>"mean,Age=median,Purchase=zero"</c>.</summary>
public sealed class PerColumn
{
    public string Default { get; }
    public IReadOnlyDictionary<string, string> Overrides { get; }

    public PerColumn(string spec, string fallback)
    {
        var d = fallback;
        var o = new Dictionary<string, string>();
        foreach (var part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq < 0) d = part;
            else o[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }
        Default = d;
        Overrides = o;
    }

    public string For(string column) => Overrides.TryGetValue(column, out var v) ? v : Default;
}

/// <summary>The choices a user makes when building <c>_transform.json</c> (<c>mapper plan</c> options).</summary>
public sealed record PlanOptions
{
    public string? Label { get; init; }
    /// <summary>error | drop; null = not specified (an error when the label has missing values).</summary>
    public string? LabelMissing { get; init; }
    /// <summary>regression | binary | multiclass; null = from the label column's kind.</summary>
    public string? Task { get; init; }
    /// <summary>Alternative spellings of label classes: FROM → TO.</summary>
    public IReadOnlyDictionary<string, string> LabelAliases { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Drop { get; init; } = [];
    public IReadOnlyList<string> Categorical { get; init; } = [];
    /// <summary>Numeric columns kept numbers although <see cref="PlanBuilder.IsCode"/> would make them categorical.</summary>
    public IReadOnlyList<string> Numeric { get; init; } = [];
    public PerColumn Impute { get; init; } = new("", "mean");
    public PerColumn Scale { get; init; } = new("", "minmax");
    public PerColumn Encoding { get; init; } = new("", "index");
    /// <summary>null: none; empty: every numeric column with missing values; else these columns.</summary>
    public IReadOnlyList<string>? MissingIndicator { get; init; }
    public int? TopK { get; init; }
    /// <summary>Quantile bins per numeric column for the trainer's piecewise-linear encoding (0 = none).</summary>
    public int Bins { get; init; } = DefaultBins;
    public const int DefaultBins = 16;
    public long MinCount { get; init; } = 1;
    public int OovBuckets { get; init; } = 1;
    public string Compression { get; init; } = "gzip";
}
