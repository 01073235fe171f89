using System.Text.Json.Serialization;
using Streaming.Stats;
using Streaming.TfRecord;

namespace Streaming.Transform;

/// <summary>One part of a calendar date a date column is split into.</summary>
[JsonConverter(typeof(DatePartJson))]
public enum DatePart
{
    /// <summary>float32: (year − offset) × factor, min-max over the statistics' years (trend: later years extrapolate).</summary>
    Year,
    /// <summary>int64 index 0–11 (January = 0), 12 when missing: seasons as categories.</summary>
    Month,
    /// <summary>int64 index 0–6 (Monday = 0), 7 when missing: the week's rhythm.</summary>
    Weekday,
    /// <summary>float32: (day of the year − 1) / 365, with 12 bins: the season, smoothly.</summary>
    DayOfYear,
    /// <summary>int64 index 0–23, 24 when missing or when the value has no time.</summary>
    Hour,
}

/// <summary>
/// A part of a date column (<c>COL_year</c>, <c>COL_month</c>, <c>COL_weekday</c>, <c>COL_day_of_year</c>,
/// <c>COL_hour</c>). A date as a category is useless to a model: every future day is a value it never saw. Its parts
/// carry what dates mean for tabular data — the season, the weekday, the hour, a trend — and a future date's parts are
/// known ones. The plan makes them for a column whose every tracked value is an ISO-like date (<see cref="DateText"/>);
/// <c>--categorical COL</c> keeps the column one category instead.
/// </summary>
public sealed record DatePartFeature : FeatureSpec
{
    public required DatePart Part { get; init; }
    /// <summary>Year only: the scaling (min-max over the years seen).</summary>
    public double Offset { get; init; }
    public double Factor { get; init; } = 1;

    public override string DType => IsIndex ? "int64" : "float32";
    public override int Length => 1;
    public bool IsIndex => Part is DatePart.Month or DatePart.Weekday or DatePart.Hour;
    /// <summary>Distinct indices of an index part, the last one for missing.</summary>
    public int Cardinality => Part switch { DatePart.Month => 13, DatePart.Weekday => 8, DatePart.Hour => 25, _ => 0 };
    public override int? IndexCardinality => IsIndex ? Cardinality : null;

    /// <summary>Bins of the day of the year: twelve of equal width (for the trainer's piecewise-linear encoding).</summary>
    public IReadOnlyList<double>? Bins => Part == DatePart.DayOfYear ? MonthlyEdges : null;

    private static readonly double[] MonthlyEdges = Enumerable.Range(0, 13).Select(i => i / 12.0).ToArray();

    public override string Expected => "a date (yyyy-mm-dd or yyyy/mm/dd, optionally with a time)";

    /// <summary>The plan step: the parts of a date column; hour only when the values carry a time.</summary>
    public static IEnumerable<DatePartFeature> Plan(ColumnStats s)
    {
        int minYear = int.MaxValue, maxYear = int.MinValue;
        bool hasTime = false;
        foreach (var (value, _) in s.Top.Ordered())
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            if (!DateText.TryParse(bytes, out var d, out bool time)) continue;
            (minYear, maxYear, hasTime) = (Math.Min(minYear, d.Year), Math.Max(maxYear, d.Year), hasTime || time);
        }
        DatePartFeature Part(DatePart part, string suffix) => new() { Name = s.Name + suffix, Source = s.Name, SourceIndex = s.Index, Part = part };
        yield return Part(DatePart.Year, "_year") with { Offset = minYear, Factor = maxYear > minYear ? 1.0 / (maxYear - minYear) : 0 };
        yield return Part(DatePart.Month, "_month");
        yield return Part(DatePart.Weekday, "_weekday");
        yield return Part(DatePart.DayOfYear, "_day_of_year");
        if (hasTime) yield return Part(DatePart.Hour, "_hour");
    }

    /// <summary>Whether a column is dates: text whose every tracked value (all of them, or its heavy hitters) parses as one.</summary>
    public static bool IsDateColumn(ColumnStats s) =>
        !s.IsNumeric && s.Top.Count > 0 && s.Top.Ordered().All(t => DateText.TryParse(System.Text.Encoding.UTF8.GetBytes(t.Value), out _, out _));

    public override FeatureOutcome Encode(ReadOnlySpan<byte> value, bool missing, ExampleEncoder encoder, ExampleKey key, ref float[] scratch)
    {
        DateTime d = default;
        bool time = false;
        if (!missing && !DateText.TryParse(value, out d, out time)) return FeatureOutcome.NotANumber;
        switch (Part)
        {
            case DatePart.Month: encoder.AddInt64(key, missing ? 12 : d.Month - 1); break;
            case DatePart.Weekday: encoder.AddInt64(key, missing ? 7 : ((int)d.DayOfWeek + 6) % 7); break;
            case DatePart.Hour: encoder.AddInt64(key, missing || !time ? 24 : d.Hour); break;
            // A missing date takes the middle of the year range and of the year (what the mean imputes for a number).
            case DatePart.Year: encoder.AddFloat(key, missing ? 0.5f : (float)((d.Year - Offset) * Factor)); break;
            default: encoder.AddFloat(key, missing ? 0.5f : (d.DayOfYear - 1) / 365f); break;
        }
        return FeatureOutcome.Encoded;
    }

    internal override FeatureDocument ToDocument() => new()
    {
        Name = Name, Source = Source, SourceIndex = SourceIndex, Type = FeatureDocument.DatePart, Part = Part,
        Offset = Part == DatePart.Year ? Offset : null, Factor = Part == DatePart.Year ? Factor : null,
    };
}

public sealed class DatePartJson() : PlanEnumConverter<DatePart>("year", "month", "weekday", "day_of_year", "hour");

/// <summary>
/// The date texts a date column may hold: <c>yyyy-mm-dd</c> or <c>yyyy/mm/dd</c>, optionally followed by <c>T</c> or a
/// space and <c>hh:mm</c>, <c>hh:mm:ss</c> and a fraction, then optionally <c>Z</c> or an offset (the local time is
/// what counts: the parts of the clock the row was written in). Strict: a number or free text is never a date.
/// </summary>
public static class DateText
{
    public static bool TryParse(ReadOnlySpan<byte> s, out DateTime date, out bool hasTime)
    {
        date = default;
        hasTime = false;
        if (s.Length < 10 || !(s[4] == (byte)'-' && s[7] == (byte)'-' || s[4] == (byte)'/' && s[7] == (byte)'/')) return false;
        if (!Digits(s[..4], out int y) || !Digits(s[5..7], out int m) || !Digits(s[8..10], out int d)) return false;
        if (y < 1 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m)) return false;
        int hour = 0, minute = 0;
        if (s.Length > 10)
        {
            var t = s[10..];
            if (t.Length < 6 || t[0] is not ((byte)'T' or (byte)' ') || t[3] != (byte)':') return false;
            if (!Digits(t[1..3], out hour) || !Digits(t[4..6], out minute) || hour > 23 || minute > 59) return false;
            var rest = t[6..];
            if (rest.Length >= 3 && rest[0] == (byte)':')
            {
                if (!Digits(rest[1..3], out int second) || second > 60) return false;
                rest = rest[3..];
                if (rest.Length > 0 && rest[0] == (byte)'.')
                {
                    int k = 1;
                    while (k < rest.Length && rest[k] is >= (byte)'0' and <= (byte)'9') k++;
                    if (k == 1) return false;
                    rest = rest[k..];
                }
            }
            if (rest.Length > 0 && !(rest is [(byte)'Z'] || rest.Length == 6 && rest[0] is (byte)'+' or (byte)'-' && rest[3] == (byte)':'
                && Digits(rest[1..3], out _) && Digits(rest[4..6], out _)))
                return false;
            hasTime = true;
        }
        date = new DateTime(y, m, d, hour, minute, 0);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (byte b in s)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }
}
