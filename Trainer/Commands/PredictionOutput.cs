using System.Text;
using System.Text.Json;
using Streaming.Core;
using Streaming.Model;
using Streaming.Transform;

namespace Streaming.Trainer.Commands;

/// <summary>
/// How <c>trainer predict</c> writes its answers (<c>--output-format</c>): <c>plain</c>, one value a line (line N
/// answers row N; <c>rejected:Reason</c> for a row with none), or with a header naming what each column is —
/// <c>tsv</c>, <c>csv</c>: <c>row</c> (1-based), the prediction's column, <c>rejected</c> (the reason, else empty);
/// <c>jsonl</c>: one object a row, <c>{"row": 1, "p(&gt;50K)": 0.12}</c> or <c>{"row": 4, "rejected": "FieldCount"}</c>.
/// The prediction's column: the label's name (regression: its value; multiclass: the class), or
/// <c>p(CLASS)</c> for a binary label (the probability of its second class).
/// </summary>
public sealed class PredictionOutput
{
    public enum Format { Plain, Tsv, Csv, Jsonl }

    private readonly TextWriter _writer;
    private readonly Format _format;
    private readonly string _column;
    private readonly bool _numeric;

    public PredictionOutput(TextWriter writer, Format format, ModelFile meta)
    {
        (_writer, _format) = (writer, format);
        var label = meta.Plan.Label;
        _column = meta.Spec.Task == TaskKind.Binary && label?.Classes is { Count: 2 } c ? $"p({c[1]})" : label?.Name ?? "prediction";
        _numeric = meta.Spec.Task != TaskKind.Multiclass;
        switch (format)
        {
            case Format.Tsv: writer.WriteLine($"row\t{Tsv(_column)}\trejected"); break;
            case Format.Csv: writer.WriteLine($"row,{Csv(_column)},rejected"); break;
        }
    }

    public static Format Parse(string text) => text switch
    {
        "plain" => Format.Plain,
        "tsv" => Format.Tsv,
        "csv" => Format.Csv,
        "jsonl" => Format.Jsonl,
        _ => throw new ConfigException($"--output-format must be plain, tsv, csv or jsonl, got '{text}'"),
    };

    /// <param name="row">0-based row (or record) index.</param>
    public void Write(long row, string? prediction, string? rejected)
    {
        switch (_format)
        {
            case Format.Plain: _writer.WriteLine(prediction ?? "rejected:" + rejected); break;
            case Format.Tsv: _writer.WriteLine($"{row + 1}\t{Tsv(prediction ?? "")}\t{rejected}"); break;
            case Format.Csv: _writer.WriteLine($"{row + 1},{Csv(prediction ?? "")},{rejected}"); break;
            default:
                var sb = new StringBuilder("{\"row\": ").Append(row + 1).Append(", ");
                if (prediction is null) sb.Append("\"rejected\": ").Append(JsonSerializer.Serialize(rejected));
                else sb.Append(JsonSerializer.Serialize(_column)).Append(": ").Append(_numeric ? prediction : JsonSerializer.Serialize(prediction));
                _writer.WriteLine(sb.Append('}').ToString());
                break;
        }
    }

    private static string Tsv(string s) => s.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r");

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
