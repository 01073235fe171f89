using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.Csv;
using Streaming.TfRecord;
using Streaming.Transform;
using Streaming.Data;
using Streaming.Model;
using Streaming.Hadoop;

namespace Streaming.Jobs;

/// <summary>
/// One input row's answer: its index among the input's rows, its prediction or the reason it has none, and what the
/// output carries beside it (<see cref="ScoreColumns"/>: identifying columns, the input line), already formatted.
/// </summary>
public readonly record struct RowPrediction(long Row, string? Prediction, RejectReason? Rejected, string? Extra = null)
{
    /// <summary>The output text: the prediction, or <c>rejected:Reason</c> (never a blank line).</summary>
    public string Text => Prediction ?? "rejected:" + Rejected;
}

/// <summary>
/// What a scoring output line carries after the prediction, so predictions can be joined back to their rows: the
/// values of <see cref="IdColumns"/> (<c>--id-columns</c>), then the input line itself (<c>--keep-input</c>), each
/// after a TAB. An id value's TAB, newline and backslash are written <c>\t</c>, <c>\n</c>, <c>\\</c>; the input line
/// comes last, as it was (a row the CSV reader rejected has empty id values).
/// </summary>
public sealed record ScoreColumns(IReadOnlyList<string> IdColumns, bool KeepInput)
{
    public static readonly ScoreColumns None = new([], false);
    public bool Any => IdColumns.Count > 0 || KeepInput;

    /// <summary>The extra text of a parsed row (<paramref name="ids"/>: the id columns' positions in it).</summary>
    internal string Format(int[] ids, Func<int, ReadOnlySpan<byte>>? field, ReadOnlySpan<byte> line)
    {
        var sb = new StringBuilder();
        foreach (int i in ids)
        {
            sb.Append('\t');
            if (field is null) continue;
            foreach (char c in Encoding.UTF8.GetString(field(i)))
                sb.Append(c switch { '\t' => "\\t", '\n' => "\\n", '\r' => "\\r", '\\' => "\\\\", _ => c.ToString() });
        }
        if (KeepInput) sb.Append('\t').Append(Encoding.UTF8.GetString(line));
        return sb.ToString();
    }
}

/// <summary>
/// Raw CSV rows → predictions, through the model's own transform plan (the same <see cref="RowTransformer"/> the
/// transform job runs, label optional) and a scoring function (the libtorch-free <see cref="MlpScorer"/>, or the
/// trainer's TorchSharp model). Columns are matched <b>by name</b>: from <c>inputColumns</c> when given (a map task
/// past its file's first split), else from the input's header line when it has one (any order, extra columns
/// ignored, the label optional; a missing feature column is a configuration error naming it); an input without a
/// header must have the training column order, and the log says so. Every row gets one <see cref="RowPrediction"/>,
/// in input order. Regression: the value; binary: P(second class); multiclass: the class name.
/// </summary>
public sealed class CsvPredictor(ModelFile meta, Func<Dataset, double[]> score, ILogger log, byte? delimiter = null)
{
    public const int Chunk = 4096;

    /// <summary>The model's plan, reading this input's delimiter when it differs from the training data's (<c>--delimiter</c>).</summary>
    private readonly TransformPlan _plan = delimiter is byte d ? meta.Plan with { Csv = meta.Plan.Csv with { Delimiter = ((char)d).ToString() } } : meta.Plan;

    public long Run(Stream csv, bool atFileStart, IReadOnlyList<string>? inputColumns, RejectedRows rejects, Reporter reporter,
        Action<RowPrediction> emit, ScoreColumns? columns = null)
    {
        var layout = new FeatureLayout(_plan);
        var lines = new LineReader(csv, _plan.Csv.MaxLineBytes);
        try
        {
            var plan = Bind(lines, atFileStart, inputColumns);
            columns ??= ScoreColumns.None;
            var names = plan.Csv.Columns.ToList();
            var ids = columns.IdColumns.Select(c => names.IndexOf(c) is >= 0 and var i ? i
                : throw new ConfigException("id-columns", $"'{c}' is not a column of the input (its columns: {string.Join(",", plan.Csv.Columns)})")).ToArray();
            return Run(plan, layout, lines, atFileStart, rejects, reporter, emit, columns, ids);
        }
        finally { lines.Dispose(); }
    }

    /// <summary>The model's plan bound to this input's columns; consumes the header line when there is one.</summary>
    private TransformPlan Bind(LineReader lines, bool atFileStart, IReadOnlyList<string>? inputColumns)
    {
        var trained = _plan.Csv.Columns;
        if (inputColumns is null && atFileStart)
        {
            lines.SkipByteOrderMark();
            if (PeekHeader(lines) is { } header)
            {
                log.LogInformation("input columns matched by header name: {Columns}", string.Join(",", header));
                return _plan.ForInputColumns(header).WithoutHeader();
            }
            log.LogInformation("the input has no header line: its columns are taken in the training order ({Columns})", string.Join(",", trained));
            return _plan.ForInputColumns(trained).WithoutHeader();
        }
        return _plan.ForInputColumns(inputColumns ?? trained);
    }

    private int? OtherDelimiter(string line)
    {
        foreach (char c in ";\t|,")
        {
            int at = line.IndexOf(c);
            if (at < 0) continue;
            var parts = line.Split(c);
            if (parts.Length == _plan.Csv.Columns.Count || parts.Any(p => _plan.Csv.Columns.Contains(p.Trim('"')))) return at;
        }
        return null;
    }

    private static string Display(char c) => c == '\t' ? "\\t" : c.ToString();

    /// <summary>The first line's fields when they name every feature column of the model (then it is consumed).</summary>
    private string[]? PeekHeader(LineReader lines)
    {
        var options = _plan.ToCsvOptions();
        var parser = new CsvLineParser(options);
        if (!lines.TryPeekLine(out var first) || first.IsEmpty || parser.Parse(first.ToArray()) is not null) return null;
        var fields = parser.FieldsAsStrings();
        // A first line that is one field but splits on ';', TAB, '|' or ',' into the model's columns (a header naming
        // them, or a row of as many values) was written with another delimiter; a banner line that merely holds one
        // of them is not (adult.test begins "|1x3 Cross validator").
        if (fields.Length == 1 && _plan.Csv.Columns.Count > 1 && OtherDelimiter(fields[0]) is int at)
            throw new ConfigException($"the input's first line is one field containing '{Display(fields[0][at])}' where the model reads '{Display(_plan.Csv.Delimiter[0])}'-separated columns: is '{Display(fields[0][at])}' its delimiter? (--delimiter)");
        var names = new HashSet<string>(fields);
        var sources = _plan.Features.Select(f => f.Source).Distinct().ToList();
        var missing = sources.Where(c => !names.Contains(c)).ToList();
        if (missing.Count == sources.Count) return null;   // no feature named: a data row
        // A line naming at least half of the features is a header; one with columns missing is refused, naming them.
        if (missing.Count > 0 && missing.Count * 2 > sources.Count) return null;
        if (CsvOptions.DuplicateColumn(fields) is { } duplicate) throw new ConfigException($"the input's header line: {duplicate}");
        if (missing.Count > 0)
            throw new ConfigException($"the input lacks the model's feature column(s) {string.Join(", ", missing)} (its columns: {string.Join(",", fields)})");
        lines.TryReadLine(out _, out _);
        return fields;
    }

    private long Run(TransformPlan plan, FeatureLayout layout, LineReader lines, bool atFileStart, RejectedRows rejects, Reporter reporter,
        Action<RowPrediction> emit, ScoreColumns columns, int[] ids)
    {
        var transformer = new RowTransformer(plan.WithoutLabel());
        var decoder = new ExampleDecoder(layout.Slots, requireLabel: false);
        // Rows the CSV reader rejects, with their line's extra columns (ids unknown: the row did not parse).
        var reasons = new Queue<(RejectReason Reason, string? Extra)>();
        rejects.Observer = (reason, line) => reasons.Enqueue((reason, columns.Any ? columns.Format(ids, null, line) : null));
        var reader = new CsvRowReader(lines, plan.ToCsvOptions(), atFileStart, rejects, reporter);
        var chunk = new Dataset(layout.NumericWidth, layout.IndexSlots.Count);
        var pending = new List<(long Row, RejectReason? Rejected, string? Extra)>();
        long emitted = 0;

        void Flush()
        {
            var scores = chunk.Count > 0 ? score(chunk) : [];
            int k = 0;
            foreach (var (row, rejected, extra) in pending)
                emit(new RowPrediction(row, rejected is null ? Format(meta, scores, k++) : null, rejected, extra));
            emitted += pending.Count;
            pending.Clear();
            chunk = new Dataset(layout.NumericWidth, layout.IndexSlots.Count);
        }

        // Rows the CSV reader rejected (counted and quarantined there) still get their line, with the reason.
        void Gap(long upTo)
        {
            for (long r = emitted + pending.Count; r < upTo; r = emitted + pending.Count)
            {
                var (reason, extra) = reasons.Count > 0 ? reasons.Dequeue() : (RejectReason.BadRecord, (string?)null);
                pending.Add((r, reason, extra));
            }
        }

        while (reader.TryRead(out var row))
        {
            Gap(reader.RowsRead - 1);
            string? extra = columns.Any ? columns.Format(ids, i => row[i], reader.RawLine) : null;
            if (transformer.Transform(row, out var example, out var detail) == RowOutcome.Ok)
            {
                chunk.Next(out var num, out var idx);
                decoder.Decode(example, num, idx, out _);
                chunk.Commit(0, reader.RowsRead - 1);
                pending.Add((reader.RowsRead - 1, null, extra));
            }
            else
            {
                rejects.Reject(RejectReason.BadValue, reader.RawLine, reader.LineNumber, detail);
                reasons.Dequeue();
                pending.Add((reader.RowsRead - 1, RejectReason.BadValue, extra));
            }
            if (pending.Count >= Chunk) Flush();
        }
        Gap(reader.RowsRead);
        Flush();
        ReportUnseen(plan, transformer, reader.RowsOk, reporter);
        rejects.CheckThreshold(reader.RowsRead);
        return emitted;
    }

    /// <summary>
    /// What the model never saw in training, per column: categorical values outside the vocabulary (scored as
    /// out-of-vocabulary) and numbers outside the training range (scored as they are; the piecewise-linear bins hold
    /// them at the edge, the plain input extrapolates) — a counter each and one log line each.
    /// </summary>
    private void ReportUnseen(TransformPlan plan, RowTransformer transformer, long rows, Reporter reporter)
    {
        void Report(long[] counts, string counter, string message)
        {
            var parts = new List<string>();
            for (int i = 0; i < plan.Features.Count; i++)
            {
                long n = counts[i];
                if (n == 0) continue;
                reporter.Increment(Counters.Group, counter + "." + plan.Features[i].Name, n);
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{plan.Features[i].Name} {n} ({100.0 * n / Math.Max(1, rows):F1} %)"));
            }
            if (parts.Count > 0) log.LogInformation("{Message}: {Columns}", message, string.Join(", ", parts));
        }
        Report(transformer.Unseen, "Unseen", "categorical values unseen in training (scored as out-of-vocabulary)");
        Report(transformer.OutOfRange, "OutOfRange", "numbers outside the training range (scored; the bins hold them at the edge)");
    }

    /// <summary>Row k of a score array as printed: the value, P(class 1), or the most probable class.</summary>
    public static string Format(ModelFile meta, ReadOnlySpan<double> scores, int k) => meta.Spec.Task switch
    {
        TaskKind.Regression => scores[k].ToString("R", CultureInfo.InvariantCulture),
        TaskKind.Binary => scores[k].ToString("0.######", CultureInfo.InvariantCulture),
        _ => meta.Plan.Label!.Classes![ArgMax(scores.Slice(k * meta.Spec.Outputs, meta.Spec.Outputs))],
    };

    private static int ArgMax(ReadOnlySpan<double> p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }
}
