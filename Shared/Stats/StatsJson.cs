using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Streaming.Stats;

/// <summary>
/// The statistics line format, <c>column\t{json}</c>: both the partial a mapper or combiner emits and the final
/// artifact (one format, so the same command is combiner and reducer). Fields are documented in README.md.
/// Written with Utf8JsonWriter and read with JsonDocument: no reflection, safe to trim.
/// </summary>
public static class StatsJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>The line of a column; <see cref="ColumnStats.Complete"/> folds its deferred values in first.</summary>
    public static string Serialize(ColumnStats s)
    {
        s.Complete();
        s.Top.Compact();   // first: the decrement it may make raises top_error
        var buf = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buf, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("column", s.Name);
            w.WriteNumber("index", s.Index);
            w.WriteString("kind", s.Kind);
            w.WriteNumber("count", s.Count);
            w.WriteNumber("missing", s.Missing);
            w.WriteNumber("non_numeric", s.NonNumeric);
            w.WriteBoolean("forced_categorical", s.ForcedCategorical);
            if (s.IsNumeric)
            {
                w.WriteNumber("min", s.Min);
                w.WriteNumber("max", s.Max);
                w.WriteNumber("mean", s.Mean);   // from exact sums: finite for any finite data
                if (s.Std is { } std) WriteFinite(w, "std", std); else w.WriteNull("std");
                // Only a spread near double's limit (|x| ~ 1e308) has a standard deviation past it: null, and why.
                if (s.Std is { } sd && !double.IsFinite(sd))
                    w.WriteString("overflow", "the standard deviation exceeds double precision's range");
                w.WriteStartObject("quantiles");
                var qs = s.Quantiles.Quantiles(ColumnStats.QuantileLevels)!;
                for (int i = 0; i < qs.Length; i++)
                    w.WriteNumber(ColumnStats.QuantileLevels[i].ToString("0.0#", CultureInfo.InvariantCulture), qs[i]);
                w.WriteEndObject();
            }
            w.WriteNumber("distinct", s.DistinctCount);
            w.WriteBoolean("distinct_exact", s.DistinctExact);
            w.WriteBoolean("top_truncated", s.Top.Truncated);
            w.WriteNumber("top_error", s.Top.ErrorBound);
            w.WriteStartArray("top");
            foreach (var (value, count) in s.Top.Ordered())
            {
                w.WriteStartArray();
                w.WriteStringValue(value);
                w.WriteNumberValue(count);
                w.WriteEndArray();
            }
            w.WriteEndArray();

            w.WriteStartObject("state");
            w.WriteNumber("numeric_count", s.NumericCount);
            if (s.NumericCount > 0)
            {
                var (sum, squares) = s.Moments.State;
                w.WriteString("sum", sum);
                w.WriteString("sum_squares", squares);
                w.WriteNumber("min", s.Min);
                w.WriteNumber("max", s.Max);
            }
            w.WriteNumber("top_capacity", s.Top.Capacity);
            w.WriteNumber("kll_k", s.Quantiles.K);
            w.WriteNumber("kll_n", s.Quantiles.Count);
            w.WriteStartArray("kll");
            foreach (var level in s.Quantiles.Levels)
            {
                w.WriteStartArray();
                foreach (var v in level) w.WriteNumberValue(v);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            // An exact frequency table is the set of distinct values itself: the HLL is rebuilt from it on load.
            if (s.Top.Truncated) w.WriteString("hll", s.Distinct.ToBase64());
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buf.WrittenSpan);
    }

    /// <summary>Parses one JSON document; throws <see cref="FormatException"/> with the reason when it is not ours.</summary>
    public static ColumnStats Deserialize(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var r = doc.RootElement;
            var st = r.GetProperty("state");
            long numericCount = st.GetProperty("numeric_count").GetInt64();
            bool truncated = r.GetProperty("top_truncated").GetBoolean();
            var top = FrequentValues.FromEntries(st.GetProperty("top_capacity").GetInt32(),
                r.GetProperty("top").EnumerateArray().Select(e => (Encoding.UTF8.GetBytes(e[0].GetString()!), e[1].GetInt64())),
                truncated, r.GetProperty("top_error").GetInt64());
            return ColumnStats.FromState(new ColumnState(
                r.GetProperty("column").GetString()!, r.GetProperty("index").GetInt32(), r.GetProperty("forced_categorical").GetBoolean(),
                Count: r.GetProperty("count").GetInt64(), Missing: r.GetProperty("missing").GetInt64(),
                NonNumeric: r.GetProperty("non_numeric").GetInt64(),
                Moments: numericCount > 0
                    ? Moments.FromState(numericCount, st.GetProperty("sum").GetString()!, st.GetProperty("sum_squares").GetString()!)
                    : new Moments(),
                Min: numericCount > 0 ? st.GetProperty("min").GetDouble() : double.PositiveInfinity,
                Max: numericCount > 0 ? st.GetProperty("max").GetDouble() : double.NegativeInfinity,
                Quantiles: KllSketch.FromLevels(st.GetProperty("kll_k").GetInt32(), st.GetProperty("kll_n").GetInt64(),
                    st.GetProperty("kll").EnumerateArray().Select(l => l.EnumerateArray().Select(v => v.GetDouble()).ToList()).ToList()),
                Top: top,
                Distinct: truncated ? HyperLogLog.FromBase64(st.GetProperty("hll").GetString()!) : null));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"not a statistics record: {e.Message}", e);
        }
    }

    /// <summary>A finite number, or null (JSON has no infinity; an overflowed moment must not crash the task).</summary>
    private static void WriteFinite(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value); else w.WriteNull(name);
    }
}
