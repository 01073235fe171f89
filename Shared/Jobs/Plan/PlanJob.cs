using System.CommandLine;
using Streaming.Core;
using Streaming.Csv;
using Streaming.Transform;
using Streaming.Hadoop;
using Microsoft.Extensions.Logging;

namespace Streaming.Jobs;

/// <summary>The transform plan: statistics and options → <c>_transform.json</c>, run once on the submitting machine between job 1 and job 2.</summary>
public static class PlanJob
{
    /// <summary><c>mapper plan</c>: statistics artifact + options → <c>_transform.json</c> (run once, on the submitting machine).</summary>
    public static Command Plan()
    {
        var csv = new CsvInputOptions();
        var stats = new Option<string>("--stats") { Description = "Statistics artifact: a file, or a job output directory (part-* files)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the plan (default: stdout)" };
        var label = new Option<string?>("--label") { Description = "Label column" };
        var labelMissing = new Option<string?>("--label-missing") { Description = "drop|error: rows whose label is missing (required when the label has missing values)" };
        var task = new Option<string?>("--task") { Description = "regression|binary|multiclass (default: from the label's kind)" };
        var aliases = new Option<string?>("--label-alias") { Description = "Other spellings of label classes: FROM:TO,FROM2:TO2 (e.g. '>50K.:>50K')" };
        var drop = new Option<string?>("--drop") { Description = "Columns to leave out (a,b)" };
        var categorical = new Option<string?>("--categorical") { Description = "Columns to encode as categories even when numeric (a,b)" };
        var numeric = new Option<string?>("--numeric") { Description = $"Numeric columns to keep numbers although whole numbers with at most {PlanBuilder.MaxCodeValues} distinct values (codes: month, hour, category ids) are categorical by default (a,b)" };
        var impute = new Option<string>("--impute") { Description = "mean|median|zero|constant:V, for all columns and/or COL=POLICY", DefaultValueFactory = _ => "mean" };
        var scale = new Option<string>("--scale") { Description = "minmax|zscore|none, for all columns and/or COL=SCALE", DefaultValueFactory = _ => "minmax" };
        var encoding = new Option<string>("--encoding") { Description = "index|onehot for categorical columns, for all and/or COL=ENCODING", DefaultValueFactory = _ => "index" };
        var indicator = new Option<string?>("--missing-indicator") { Description = "'all' (numeric columns with missing values) or columns a,b: add COL_missing features" };
        var topK = new Option<int?>("--top-k") { Description = "Keep at most this many most frequent values per vocabulary" };
        var bins = new Option<int>("--bins") { Description = "Quantile bins per numeric column, from the statistics' sketch, for the trainer's piecewise-linear encoding (0 = none)", DefaultValueFactory = _ => PlanOptions.DefaultBins };
        var minCount = new Option<long>("--min-count") { Description = "Keep values seen at least this often", DefaultValueFactory = _ => 1 };
        var oov = new Option<int>("--oov-buckets") { Description = "Hash buckets for values outside the vocabulary", DefaultValueFactory = _ => 1 };
        var compression = new Option<string>("--compression") { Description = "gzip|zlib|none for the shards", DefaultValueFactory = _ => "gzip" };
        var cmd = new Command("plan", "Build the transform plan (_transform.json) from the statistics and options");
        csv.AddTo(cmd);
        foreach (var o in new Option[] { stats, output, label, labelMissing, task, aliases, drop, categorical, numeric, impute, scale, encoding, indicator, topK, bins, minCount, oov, compression })
            cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("mapper.plan", (logs, _) =>
        {
            var artifact = StatisticsArtifact.Read(r.GetValue(stats)!, "--stats");
            var ind = r.GetValue(indicator);
            var options = new PlanOptions
            {
                Label = r.GetValue(label), LabelMissing = r.GetValue(labelMissing), Task = r.GetValue(task),
                LabelAliases = ParseAliases(r.GetValue(aliases)),
                Drop = CsvOptions.ParseList(r.GetValue(drop)) ?? [], Categorical = CsvOptions.ParseList(r.GetValue(categorical)) ?? [],
                Numeric = CsvOptions.ParseList(r.GetValue(numeric)) ?? [],
                Impute = new PerColumn(r.GetValue(impute)!, "mean"), Scale = new PerColumn(r.GetValue(scale)!, "minmax"),
                Encoding = new PerColumn(r.GetValue(encoding)!, "index"),
                MissingIndicator = ind is null ? null : ind == "all" ? [] : CsvOptions.ParseList(ind),
                TopK = r.GetValue(topK), Bins = r.GetValue(bins), MinCount = r.GetValue(minCount), OovBuckets = r.GetValue(oov), Compression = r.GetValue(compression)!,
            };
            var plan = PlanBuilder.Build(artifact, csv.Build(r), options);
            var log = logs.CreateLogger("mapper.plan");
            log.LogInformation("plan: {Summary}", plan.Summary());
            var codes = artifact.Where(s => !options.Categorical.Contains(s.Name) && s.Name != options.Label && PlanBuilder.IsCode(s)
                && plan.Features.Any(f => f is CategoricalFeature && f.Source == s.Name)).Select(s => s.Name).ToList();
            if (codes.Count > 0)
                log.LogInformation("categorical as codes (whole numbers, at most {Max} distinct values): {Columns}; --numeric a,b keeps them numbers",
                    PlanBuilder.MaxCodeValues, string.Join(",", codes));
            var json = plan.ToJson() + "\n";
            if (r.GetValue(output) is { } path) AtomicFile.WriteAllText(path, json);
            else Console.Out.Write(json);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Dictionary<string, string> ParseAliases(string? text)
    {
        var d = new Dictionary<string, string>();
        foreach (var kv in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = kv.IndexOf(':');
            if (eq <= 0) throw new ConfigException($"--label-alias entry '{kv}': expected FROM:TO");
            d[kv[..eq]] = kv[(eq + 1)..];
        }
        return d;
    }
}
