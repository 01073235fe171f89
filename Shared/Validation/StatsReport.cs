using System.Globalization;
using System.Net;
using System.Text;
using Streaming.Core;
using Streaming.Stats;

namespace Streaming.Validation;

/// <summary>
/// The statistics as one self-contained HTML page (inline CSS and SVG; no script, no network, no CDN: it opens on an
/// air-gapped edge node): a row per column in file order with kind, count, missing %, min/max/mean/std, and a chart —
/// a histogram from the quantile sketch (numeric) or the most frequent values (categorical) — with the baseline's
/// distribution overlaid, the drift distance and the column's anomalies when a validation ran.
/// </summary>
public static class StatsReport
{
    private const int Bins = 20, TopValues = 12, Width = 360, Height = 120;
    private const string TodayColor = "#1f77b4", BaselineColor = "#ff7f0e";

    public static string Html(IReadOnlyList<ColumnStats> today, IReadOnlyList<ColumnStats>? baseline, Validator? validation, string title, string? label = null)
    {
        var baseByName = baseline?.ToDictionary(s => s.Name);
        var reports = validation?.Columns.ToDictionary(c => c.Column);
        var anomalies = validation?.Anomalies.GroupBy(a => a.Column).ToDictionary(g => g.Key, g => g.ToList());
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title>\n<style>\n")
          .Append("body{font:13px system-ui,sans-serif;margin:16px;color:#222}table{border-collapse:collapse;width:100%}")
          .Append("th,td{border-bottom:1px solid #ddd;padding:6px;text-align:left;vertical-align:top}th{background:#f4f4f4}")
          .Append("tr.anomaly td{background:#fde8e8}.num{text-align:right;font-variant-numeric:tabular-nums}")
          .Append(".legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}.bad{color:#b00020;font-weight:600}")
          .Append("svg text{font-size:10px;fill:#444}td.summary{white-space:nowrap}.label{color:#fff;background:#555;border-radius:3px;padding:0 4px;font-size:11px}table.classes{width:auto;margin-top:6px}table.classes td,table.classes th{padding:2px 8px;border:none}\n</style></head><body>\n");
        sb.Append("<h1>").Append(E(title)).Append("</h1>\n<p class=\"legend\">").Append(today.Count).Append(" columns")
          .Append("<span style=\"background:").Append(TodayColor).Append("\"></span>this data");
        if (baseline is not null) sb.Append("<span style=\"background:").Append(BaselineColor).Append("\"></span>baseline");
        if (validation is not null)
            sb.Append(" — <span class=\"").Append(validation.Anomalies.Count > 0 ? "bad" : "").Append("\" style=\"width:auto;height:auto;margin:0 0 0 12px\">")
              .Append(validation.Anomalies.Count).Append(" anomal").Append(validation.Anomalies.Count == 1 ? "y" : "ies").Append("</span>");
        sb.Append("</p>\n<table>\n<tr><th>#</th><th>column</th><th>kind</th><th class=\"num\">count</th><th class=\"num\">missing</th>")
          .Append("<th>summary</th><th>distribution</th><th>drift</th><th>anomalies</th></tr>\n");
        foreach (var s in today.OrderBy(s => s.Index))
        {
            var b = baseByName?.GetValueOrDefault(s.Name);
            var own = anomalies?.GetValueOrDefault(s.Name);
            long rows = s.Count + s.Missing;
            sb.Append("<tr class=\"column").Append(own is { Count: > 0 } ? " anomaly" : "").Append("\" data-column=\"").Append(E(s.Name)).Append("\">")
              .Append("<td>").Append(s.Index).Append("</td><td><b>").Append(E(s.Name)).Append("</b>").Append(s.Name == label ? "<br><span class=\"label\">label</span>" : "")
              .Append("</td><td>").Append(s.Kind).Append("</td>")
              .Append("<td class=\"num\">").Append(s.Count.ToString("N0", CultureInfo.InvariantCulture)).Append("</td>")
              .Append("<td class=\"num\">").Append(rows == 0 ? "0" : (100.0 * s.Missing / rows).ToString("0.##", CultureInfo.InvariantCulture)).Append(" %")
              .Append(MissingBar(rows == 0 ? 0 : (double)s.Missing / rows)).Append("</td><td class=\"summary\">")
              .Append(Summary(s)).Append("</td><td>").Append(s.IsNumeric ? Histogram(s, b) : TopChart(s, b))
              .Append(s.Name == label ? Classes(s, b) : "").Append("</td><td>");
            if (reports?.GetValueOrDefault(s.Name) is { Distance: { } d } r)
                sb.Append(r.DriftMetric == "jensen_shannon" ? "JS " : "L∞ ").Append("<span class=\"").Append(d > r.Threshold ? "bad" : "").Append("\">")
                  .Append(d.ToString("0.####", CultureInfo.InvariantCulture)).Append("</span> / ").Append(r.Threshold!.Value.ToString("0.###", CultureInfo.InvariantCulture));
            sb.Append("</td><td>");
            foreach (var a in own ?? []) sb.Append("<div class=\"bad\">").Append(E(a.Type)).Append(": ").Append(E(a.Description)).Append("</div>");
            sb.Append("</td></tr>\n");
        }
        sb.Append("</table>\n</body></html>\n");
        return sb.ToString();
    }

    private static string Summary(ColumnStats s)
    {
        if (s.IsNumeric)
        {
            var q = s.Quantiles.Quantiles([0.25, 0.5, 0.75]) ?? [double.NaN, double.NaN, double.NaN];
            return $"min {Num(s.Min)}<br>25 % {Num(q[0])}<br>median {Num(q[1])}<br>75 % {Num(q[2])}<br>max {Num(s.Max)}<br>mean {Num(s.Mean)}<br>std {(s.Std is { } sd ? Num(sd) : "–")}";
        }
        return $"{s.DistinctCount.ToString("N0", CultureInfo.InvariantCulture)} distinct{(s.DistinctExact ? "" : " (estimated)")}";
    }

    private const int AxisWidth = 44, AxisHeight = 16;

    /// <summary>The share of missing values as a bar under the number (full width = every value missing).</summary>
    private static string MissingBar(double share) =>
        $"<svg class=\"missing\" width=\"60\" height=\"8\" role=\"img\"><rect width=\"60\" height=\"8\" fill=\"#eeeeee\"/><rect class=\"bar missing\" width=\"{F(60 * share)}\" height=\"8\" fill=\"#b00020\"/></svg>";

    /// <summary>
    /// The distribution of a numeric column with the baseline's beside it, on a share axis (left, % of the values) and
    /// a value axis (below, round ticks). A whole-number column whose every value is known (the frequency table) gets
    /// one evenly spaced bar per value, labelled; others equal-width bins between the smaller min and larger max of
    /// both, masses from the KLL sketches' CDFs.
    /// </summary>
    private static string Histogram(ColumnStats s, ColumnStats? b)
    {
        bool both = b is { IsNumeric: true, NumericCount: > 0 };
        double[] today, baseline;
        string[]? labels = null;
        double lo = both ? Math.Min(s.Min, b!.Min) : s.Min, hi = both ? Math.Max(s.Max, b!.Max) : s.Max;
        var bValues = both ? Discrete(b!) : null;
        if (Discrete(s) is { } values && (!both || bValues is not null))
        {
            var all = values.Keys.Union(bValues?.Keys ?? Enumerable.Empty<double>()).Order().ToList();
            labels = all.Select(Num).ToArray();
            double total = values.Values.Sum(), bTotal = bValues?.Values.Sum() ?? 1;
            today = all.Select(v => values.GetValueOrDefault(v) / total).ToArray();
            baseline = bValues is null ? [] : all.Select(v => bValues.GetValueOrDefault(v) / bTotal).ToArray();
        }
        else
        {
            if (!(hi > lo)) hi = lo + 1;
            var edges = Enumerable.Range(1, Bins - 1).Select(i => lo + (hi - lo) * i / Bins).ToArray();
            today = Drift.Masses(s.Quantiles, edges);
            baseline = both ? Drift.Masses(b!.Quantiles, edges) : [];
        }
        int n = today.Length;
        double top = Math.Max(today.Max(), baseline.DefaultIfEmpty(0).Max());
        if (top <= 0) top = 1;
        var shareTicks = AxisTicks.Of(0, top * 100, 3, integers: false).Where(t => t <= top * 100 * 1.0001).ToArray();
        double plotWidth = Width - AxisWidth, w = plotWidth / n;
        var sb = new StringBuilder();
        sb.Append("<svg class=\"chart histogram\" width=\"").Append(Width).Append("\" height=\"").Append(Height + AxisHeight + 4).Append("\" role=\"img\">");
        foreach (var t in shareTicks)
        {
            double y = Height - t / 100 / top * Height;
            sb.Append("<line x1=\"").Append(AxisWidth - 3).Append("\" x2=\"").Append(Width).Append("\" y1=\"").Append(F(y)).Append("\" y2=\"").Append(F(y))
              .Append("\" stroke=\"#e4e4e4\"/><text class=\"tick\" x=\"").Append(AxisWidth - 5).Append("\" y=\"").Append(F(Math.Max(8, y + 3))).Append("\" text-anchor=\"end\">")
              .Append(E(Num(t))).Append(" %</text>");
        }
        for (int i = 0; i < n; i++)
        {
            // Side by side when there is a baseline: overlaid, two translucent bars mix into a third colour.
            double bw = baseline.Length == 0 ? w - 2 : (w - 2) / 2;
            Bar(sb, AxisWidth + i * w + 1, bw, today[i] / top, TodayColor);
            if (baseline.Length > 0) Bar(sb, AxisWidth + i * w + 1 + bw, bw, baseline[i] / top, BaselineColor);
        }
        double labelY = Height + 13;
        if (labels is not null)
        {
            // One label per bar when they fit (7 px a character), else every k-th.
            int every = Math.Max(1, (int)Math.Ceiling(labels.Max(l => l.Length) * 7.0 / w));
            for (int i = 0; i < n; i += every)
                sb.Append("<text class=\"tick\" x=\"").Append(F(AxisWidth + (i + 0.5) * w)).Append("\" y=\"").Append(F(labelY)).Append("\" text-anchor=\"middle\">").Append(E(labels[i])).Append("</text>");
        }
        else
        {
            var ticks = AxisTicks.Of(lo, hi, 4, integers: false).Where(t => t >= lo && t <= hi).ToArray();
            double lastEnd = double.NegativeInfinity;
            foreach (var t in ticks)
            {
                string text = Num(t);
                double x = AxisWidth + (t - lo) / (hi - lo) * plotWidth, half = text.Length * 3.5;
                x = Math.Clamp(x, AxisWidth + half, Width - half);
                if (x - half < lastEnd + 6) continue;   // never two labels on top of each other
                sb.Append("<text class=\"tick\" x=\"").Append(F(x)).Append("\" y=\"").Append(F(labelY)).Append("\" text-anchor=\"middle\">").Append(E(text)).Append("</text>");
                lastEnd = x + half;
            }
        }
        return sb.Append("</svg>").ToString();
    }

    /// <summary>Value → count for a column of at most 30 whole numbers, all known; null otherwise.</summary>
    private static Dictionary<double, double>? Discrete(ColumnStats s)
    {
        if (s.Top.Truncated || s.Top.Count is 0 or > 30) return null;
        var d = new Dictionary<double, double>();
        foreach (var (value, count) in s.Top.Ordered())
        {
            if (!NumberParser.TryParse(Encoding.UTF8.GetBytes(value), out var x) || x != Math.Floor(x)) return null;
            d[x] = d.GetValueOrDefault(x) + count;
        }
        return d;
    }

    /// <summary>
    /// The label column's classes: count and share here, the baseline's share beside it (a class balance that moved is
    /// what a model trained on the baseline feels first). For a numeric label (regression) its quartiles are in the
    /// summary already; the classes are its distinct values when they are few.
    /// </summary>
    private static string Classes(ColumnStats s, ColumnStats? b)
    {
        if (s.Top.Truncated || s.Top.Count is 0 or > 50) return "";
        var q = b is null ? null : Drift.Shares(b);
        long total = s.Top.Ordered().Sum(t => t.Count);
        var sb = new StringBuilder("<table class=\"classes\"><tr><th>class</th><th class=\"num\">count</th><th class=\"num\">share</th>");
        if (q is not null) sb.Append("<th class=\"num\">baseline</th>");
        sb.Append("</tr>");
        foreach (var (value, count) in s.Top.Ordered())
        {
            sb.Append("<tr><td>").Append(E(value)).Append("</td><td class=\"num\">").Append(count.ToString("N0", CultureInfo.InvariantCulture))
              .Append("</td><td class=\"num\">").Append(Num(100.0 * count / total)).Append(" %</td>");
            if (q is not null) sb.Append("<td class=\"num\">").Append(Num(100 * q.GetValueOrDefault(value))).Append(" %</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</table>").ToString();
    }

    /// <summary>The most frequent values (this data's, then any of the baseline's top not among them), as shares.</summary>
    private static string TopChart(ColumnStats s, ColumnStats? b)
    {
        var p = Drift.Shares(s);
        var q = b is null ? null : Drift.Shares(b);
        var values = s.Top.Ordered().Take(TopValues).Select(t => t.Value).ToList();
        if (b is not null) values.AddRange(b.Top.Ordered().Take(TopValues).Select(t => t.Value).Where(v => !values.Contains(v)).Take(4));
        double top = Math.Max(values.Count == 0 ? 0 : values.Max(v => p.GetValueOrDefault(v)), q is null || values.Count == 0 ? 0 : values.Max(v => q.GetValueOrDefault(v)));
        if (top <= 0) top = 1;
        int rowHeight = 14, labelWidth = 120;
        var sb = new StringBuilder();
        sb.Append("<svg class=\"chart top\" width=\"").Append(Width).Append("\" height=\"").Append(Math.Max(1, values.Count) * rowHeight + 2).Append("\" role=\"img\">");
        for (int i = 0; i < values.Count; i++)
        {
            double y = i * rowHeight;
            string label = values[i].Length > 18 ? values[i][..17] + "…" : values[i];
            sb.Append("<text x=\"").Append(labelWidth - 4).Append("\" y=\"").Append(F(y + 10)).Append("\" text-anchor=\"end\">").Append(E(label)).Append("</text>");
            double full = Width - labelWidth - 40;
            double pv = p.GetValueOrDefault(values[i]);
            sb.Append("<rect class=\"bar\" x=\"").Append(labelWidth).Append("\" y=\"").Append(F(y + 1)).Append("\" width=\"").Append(F(Math.Max(1, full * pv / top)))
              .Append("\" height=\"").Append(q is null ? 11 : 6).Append("\" fill=\"").Append(TodayColor).Append("\"><title>")
              .Append(E(values[i])).Append(": ").Append((pv * 100).ToString("0.##", CultureInfo.InvariantCulture)).Append(" %</title></rect>");
            if (q is not null)
                sb.Append("<rect class=\"bar baseline\" x=\"").Append(labelWidth).Append("\" y=\"").Append(F(y + 7)).Append("\" width=\"")
                  .Append(F(Math.Max(1, full * q.GetValueOrDefault(values[i]) / top))).Append("\" height=\"5\" fill=\"").Append(BaselineColor).Append("\"/>");
            double end = full * Math.Max(pv, q?.GetValueOrDefault(values[i]) ?? 0) / top;   // after the longer bar: never over the baseline's
            sb.Append("<text x=\"").Append(F(labelWidth + end + 4)).Append("\" y=\"").Append(F(y + 10)).Append("\">")
              .Append((pv * 100).ToString("0.#", CultureInfo.InvariantCulture)).Append("%</text>");
        }
        return sb.Append("</svg>").ToString();
    }

    private static void Bar(StringBuilder sb, double x, double width, double fraction, string color)
    {
        double h = Math.Max(fraction > 0 ? 1 : 0, fraction * Height);
        sb.Append("<rect class=\"bar\" x=\"").Append(F(x)).Append("\" y=\"").Append(F(Height - h)).Append("\" width=\"").Append(F(Math.Max(1, width)))
          .Append("\" height=\"").Append(F(h)).Append("\" fill=\"").Append(color).Append("\"/>");
    }

    private static string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>
    /// The report's one number format: five significant digits, plain decimals with thousands separators, never an
    /// exponent (8.073E-05 reads 0.00008073, 1234567.8 reads 1,234,568), so a column of numbers reads alike.
    /// </summary>
    public static string Num(double x)
    {
        if (!double.IsFinite(x)) return x.ToString(CultureInfo.InvariantCulture);
        if (x == 0) return "0";
        int digits = (int)Math.Floor(Math.Log10(Math.Abs(x))) + 1;
        double rounded = digits >= 5 ? Math.Round(x) : Math.Round(x, Math.Min(15, 5 - digits));
        return rounded.ToString("#,0.###############", CultureInfo.InvariantCulture);
    }
    private static string E(string s) => WebUtility.HtmlEncode(s);
}
