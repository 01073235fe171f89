using Streaming.Core;
using Streaming.Csv;
using Streaming.TfRecord;
using Streaming.Stats;

namespace Streaming.Transform;

/// <summary>
/// Builds <c>_transform.json</c> deterministically from the statistics artifact and the user's options
/// (tf.Transform's analyze phase output becomes constants of the transform).
/// </summary>
public static class PlanBuilder
{
    public static TransformPlan Build(IReadOnlyList<ColumnStats> stats, CsvOptions csv, PlanOptions o)
    {
        if (stats.Count == 0) throw new ConfigException("the statistics artifact has no columns");
        var columns = stats.OrderBy(s => s.Index).Select(s => s.Name).ToList();
        if (!columns.Select((n, i) => (n, i)).All(t => stats.First(s => s.Name == t.n).Index == t.i))
            throw new ConfigException("the statistics artifact's column indices are not 0..n-1: was it built from one input?");
        if (csv.Columns is { } given && !given.SequenceEqual(columns))
            throw new ConfigException("columns", $"[{string.Join(",", given)}] do not match the statistics' columns [{string.Join(",", columns)}]");

        void Known(string what, IEnumerable<string> names)
        {
            foreach (var n in names)
                if (!columns.Contains(n))
                    throw new ConfigException(what, $"names column '{n}', which is not in the input (columns: {string.Join(",", columns)})");
        }
        if (o.Label is not null) Known("label", [o.Label]);
        Known("drop", o.Drop);
        Known("categorical", o.Categorical);
        Known("numeric", o.Numeric);
        foreach (var n in o.Numeric)
        {
            if (o.Categorical.Contains(n)) throw new ConfigException("numeric", $"'{n}' is also given to --categorical: one or the other");
            if (stats.First(s => s.Name == n) is { IsNumeric: false } c)
                throw new ConfigException("numeric", $"'{n}' is not a numeric column ({c.NonNumeric:N0} of {c.Count:N0} values are not numbers)");
        }
        Known("impute", o.Impute.Overrides.Keys);
        Known("scale", o.Scale.Overrides.Keys);
        Known("encoding", o.Encoding.Overrides.Keys);
        Known("missing-indicator", o.MissingIndicator ?? []);
        if (o.Bins is < 0 or 1 or > 1024) throw new ConfigException("bins", "must be 0 (none) or 2..1024");
        if (o.OovBuckets < 0) throw new ConfigException("oov-buckets", "must be >= 0");
        if (o.TopK is < 1) throw new ConfigException("top-k", "must be >= 1");
        _ = TfRecordCompressionExtensions.Parse(o.Compression);

        var features = new List<FeatureSpec>();
        foreach (var s in stats.OrderBy(s => s.Index))
        {
            if (s.Name == o.Label || o.Drop.Contains(s.Name)) continue;
            bool categorical = !s.IsNumeric || o.Categorical.Contains(s.Name) || (!o.Numeric.Contains(s.Name) && IsCode(s));
            if (categorical && !o.Categorical.Contains(s.Name) && DatePartFeature.IsDateColumn(s) && !DatePartNamesTaken(s.Name, columns))
                features.AddRange(DatePartFeature.Plan(s));
            else if (categorical) features.Add(CategoricalFeature.Plan(s, o.Encoding.For(s.Name), o.MinCount, o.TopK, o.OovBuckets));
            else
            {
                features.Add(NumericFeature.Plan(s, o.Impute.For(s.Name), o.Scale.For(s.Name), o.Bins));
                if (!o.Numeric.Contains(s.Name) && IsRepeatedWholeNumber(s) && !columns.Contains(s.Name + CategoryTwinSuffix))
                    features.Add(CategoricalFeature.Plan(s, o.Encoding.For(s.Name), Math.Max(2, o.MinCount), o.TopK, o.OovBuckets) with { Name = s.Name + CategoryTwinSuffix });
                bool indicator = o.MissingIndicator is { } mi && (mi.Count == 0 ? s.Missing > 0 : mi.Contains(s.Name));
                if (indicator) features.Add(MissingIndicatorFeature.Plan(s));
            }
        }
        if (features.Count == 0) throw new ConfigException("drop", "leaves no features (the label is not one)");

        var plan = new TransformPlan
        {
            Csv = new CsvSection
            {
                Delimiter = ((char)csv.Delimiter).ToString(),
                Quote = ((char)csv.Quote).ToString(),
                Header = csv.Header.ToString().ToLowerInvariant(),
                Columns = columns,
                Missing = csv.MissingTokens.ToList(),
                Trim = csv.Trim,
                MaxLineBytes = csv.MaxLineBytes,
            },
            Label = o.Label is null ? null : Label(stats.First(s => s.Name == o.Label), o),
            Features = features,
            Compression = o.Compression.ToLowerInvariant(),
        };
        foreach (var f in features) plan.FeatureSpec[f.Name] = new FeatureSpecEntry { Dtype = f.DType, Shape = [f.Length] };
        if (plan.Label is { } l) plan.FeatureSpec[l.Name] = new FeatureSpecEntry { Dtype = l.DType, Shape = [1] };
        return plan;
    }

    /// <summary>A numeric column of whole numbers with at most this many distinct values is categorical by default.</summary>
    public const int MaxCodeValues = 32;

    /// <summary>
    /// The rule that makes month, weekday, hour, a product category or an occupation code categorical without being
    /// told: every value a whole number and at most <see cref="MaxCodeValues"/> distinct ones, all known exactly (the
    /// statistics' frequency table holds every value). Scaled as a number, such a column gives the network an order
    /// and distances the codes do not have, and a value outside the training range (next year's month) lands where no
    /// training row was; as a category each value has its own embedding. <c>--numeric COL</c> keeps one a number.
    /// </summary>
    public static bool IsCode(ColumnStats s) =>
        s.IsNumeric && !s.Top.Truncated && s.Top.Count is > 0 and <= MaxCodeValues && AllWhole(s);

    private static bool DatePartNamesTaken(string column, List<string> columns) =>
        new[] { "_year", "_month", "_weekday", "_day_of_year", "_hour" }.Any(suffix => columns.Contains(column + suffix));

    /// <summary>The name of a numeric column's categorical twin (<see cref="IsRepeatedWholeNumber"/>).</summary>
    public const string CategoryTwinSuffix = "_category";

    /// <summary>
    /// A whole-number column with more than <see cref="MaxCodeValues"/> distinct values, each seen twice on average
    /// (an id like User_ID, an age, hours a week) is planned twice: as a number (scaled, binned) and as a categorical
    /// twin <c>COL_category</c> of its values seen at least twice. The number carries order and distance; the
    /// embedding carries what a value means by itself (this user; 40 hours a week). Needs every value known
    /// exactly (the frequency table); <c>--numeric COL</c> keeps the number alone.
    /// </summary>
    public static bool IsRepeatedWholeNumber(ColumnStats s) =>
        s.IsNumeric && !s.Top.Truncated && s.Top.Count > MaxCodeValues && s.Top.Count * 2 <= s.Count && AllWhole(s);

    private static bool AllWhole(ColumnStats s) =>
        s.Top.Ordered().All(t => NumberParser.TryParse(System.Text.Encoding.UTF8.GetBytes(t.Value), out var x) && x == Math.Floor(x) && Math.Abs(x) < 1e15);

    /// <summary>Share of non-numeric values a label may have and still be inferred numeric (as the default --max-bad-fraction).</summary>
    public const double MaxDirtyLabelFraction = 0.01;
    /// <summary>More inferred classes than this is almost surely not a class label: an explicit --task is asked for.</summary>
    public const int MaxInferredClasses = 1000;

    private static LabelSpec Label(ColumnStats s, PlanOptions o)
    {
        if (s.Missing > 0 && o.LabelMissing is null)
            throw new ConfigException("label-missing", $"drop|error is needed: label '{s.Name}' has {s.Missing} missing values, say what to do with them");
        if (o.LabelMissing is not (null or "drop" or "error"))
            throw new ConfigException("label-missing", $"must be drop|error, got '{o.LabelMissing}'");
        // A mostly numeric label is a regression target: a few dirty values (at most MaxDirtyLabelFraction) are rows
        // the transform rejects with reason BadLabel, not a reason to turn thousands of prices into classes.
        // (NumericCount stops at a column's first non-number; Count − NonNumeric counts every value that parsed.)
        long seen = s.Count;
        bool mostlyNumeric = !s.ForcedCategorical && !o.Categorical.Contains(s.Name) && seen - s.NonNumeric > 0
            && s.NonNumeric <= MaxDirtyLabelFraction * seen;
        var task = o.Task switch
        {
            null => mostlyNumeric ? TaskKind.Regression : s.DistinctCount <= 2 ? TaskKind.Binary : TaskKind.Multiclass,
            "regression" => TaskKind.Regression,
            "binary" => TaskKind.Binary,
            "multiclass" => TaskKind.Multiclass,
            _ => throw new ConfigException("task", $"must be regression|binary|multiclass, got '{o.Task}'"),
        };
        if (o.Task is null && task == TaskKind.Multiclass && s.DistinctCount > MaxInferredClasses)
            throw new ConfigException("task", $"multiclass must be asked for: label '{s.Name}' has about {s.DistinctCount:N0} distinct values ({s.NonNumeric:N0} of {seen:N0} non-numeric), more than {MaxInferredClasses} classes (or clean the label for a regression)");
        if (task == TaskKind.Regression && !mostlyNumeric)
            throw new ConfigException($"label '{s.Name}' is not numeric ({s.NonNumeric} non-numeric values): it cannot be a regression target");
        List<string>? classes = null;
        if (task != TaskKind.Regression)
        {
            if (s.Top.Truncated) throw new ConfigException($"label '{s.Name}' has more distinct values than were tracked: not a class label");
            classes = s.Top.Ordered().Select(t => t.Value).ToList();
            // Only a --task the user gave is named: an inferred task is no option of theirs to blame.
            if (task == TaskKind.Binary && classes.Count != 2)
                throw o.Task is null
                    ? new ConfigException($"label '{s.Name}' has {classes.Count} distinct values and {s.Missing} missing: a class label needs at least 2 values (or pass --task)")
                    : new ConfigException("task", $"binary needs exactly 2 label values, '{s.Name}' has {classes.Count}");
        }
        if (o.LabelAliases.Count > 0 && classes is null)
            throw new ConfigException("label-alias", "applies to class labels, not to a regression target");
        foreach (var (from, to) in o.LabelAliases)
            if (!classes!.Contains(to)) throw new ConfigException("label-alias", $"{from}:{to}: '{to}' is not a class of '{s.Name}' ({string.Join(", ", classes)})");
        return new LabelSpec
        {
            Name = s.Name, SourceIndex = s.Index, Task = task, Classes = classes, MissingPolicy = o.LabelMissing == "drop" ? LabelMissingPolicy.Drop : LabelMissingPolicy.Error,
            Aliases = o.LabelAliases.Count > 0 ? o.LabelAliases.ToDictionary() : null,
            Mean = task == TaskKind.Regression && double.IsFinite(s.Mean) ? s.Mean : null,
            Std = task == TaskKind.Regression && s.Std is { } sd && double.IsFinite(sd) ? sd : null,
        };
    }
}
