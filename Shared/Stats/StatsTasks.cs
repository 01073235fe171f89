using Microsoft.Extensions.Logging;
using Streaming.Csv;
using Streaming.Contract;

namespace Streaming.Stats;

/// <summary>Options of the statistics job's map side.</summary>
public sealed record StatsOptions(IReadOnlyList<string> Categorical, int TopCapacity = FrequentValues.DefaultCapacity);

/// <summary>
/// Job 1, map side: in-mapper combining. Every well-formed row updates one <see cref="ColumnStats"/> per column;
/// at end of input one partial per column is emitted as <c>column\t{json}</c>.
/// </summary>
public static class StatsMapTask
{
    public static int Run(Stream input, Stream output, CsvOptions csv, StatsOptions options, double maxBadFraction,
        TaskContext ctx, Reporter reporter, ILogger log)
    {
        var source = $"{ctx.InputFile ?? "stdin"}@{ctx.InputStart}";
        using var lines = new LineReader(input, csv.MaxLineBytes);
        using var rejects = new RejectedRows(reporter, log, maxBadFraction, source, SideEffectFiles.RejectsWriter(ctx));
        var reader = new CsvRowReader(lines, csv, ctx.AtFileStart, rejects, reporter);
        ColumnStats[]? columns = null;
        long missing = 0;
        while (reader.TryRead(out var row))
        {
            columns ??= CreateColumns(reader.Columns, options);
            for (int i = 0; i < columns.Length; i++)
            {
                var v = row[i];
                if (csv.IsMissing(v)) { columns[i].AddMissing(); missing++; }
                else columns[i].Add(v);
            }
        }
        reporter.Increment(Counters.Group, Counters.RowsRead, reader.RowsRead);
        reporter.Increment(Counters.Group, Counters.RowsOk, reader.RowsOk);
        reporter.Increment(Counters.Group, Counters.MissingValues, missing);
        rejects.CheckThreshold(reader.RowsRead);

        if (columns is null && reader.HasColumns) columns = CreateColumns(reader.Columns, options);
        using var writer = new KeyValueWriter(output);
        foreach (var c in columns ?? [])
            writer.Write(c.Name, StatsJson.Serialize(c));
        writer.Flush();
        log.LogInformation("stats map: {Rows} rows, {Ok} ok, {Rejected} rejected, {Columns} columns from {Source}",
            reader.RowsRead, reader.RowsOk, rejects.Total, columns?.Length ?? 0, source);
        return ExitCodes.Ok;
    }

    private static ColumnStats[] CreateColumns(IReadOnlyList<string> names, StatsOptions options)
    {
        foreach (var c in options.Categorical)
            if (!names.Contains(c)) throw new ConfigException($"--categorical names column '{c}', which is not in the input (columns: {string.Join(",", names)})");
        return names.Select((n, i) => new ColumnStats(n, i, options.Categorical.Contains(n), options.TopCapacity)).ToArray();
    }
}

/// <summary>
/// Job 1, combiner and reducer (one command for both): merges every partial of a column into one, in the same
/// format. Merging is associative and commutative, so Hadoop may run it any number of times on any subset.
/// </summary>
public static class StatsReduceTask
{
    public static int Run(Stream input, Stream output, Reporter reporter, ILogger log)
    {
        using var lines = new LineReader(input);
        using var writer = new KeyValueWriter(output);
        var groups = new KeyGroups(lines);
        long merged = 0;
        int keys = 0;
        foreach (var (key, values) in groups.Read())
        {
            ColumnStats? acc = null;
            foreach (var v in values)
            {
                ColumnStats part;
                try { part = StatsJson.Deserialize(v); }
                catch (FormatException e)
                {
                    // A partial we cannot read would make every statistic of the column wrong: fail, never guess.
                    reporter.Increment(Counters.Group, Counters.Malformed(RejectReason.BadRecord));
                    throw new DataException($"column '{key}': unreadable partial statistics ({e.Message}): {RejectedRows.Escape(System.Text.Encoding.UTF8.GetBytes(v), 200)}");
                }
                if (part.Name != key) throw new DataException($"partial statistics of column '{part.Name}' arrived under key '{key}'");
                if (acc is null) acc = part; else acc.Merge(part);
                merged++;
            }
            writer.Write(key, StatsJson.Serialize(acc!));
            keys++;
        }
        writer.Flush();
        reporter.Increment(Counters.Group, Counters.PartialsMerged, merged);
        log.LogInformation("stats reduce: merged {Partials} partials into {Columns} columns", merged, keys);
        return ExitCodes.Ok;
    }
}
