using System.Globalization;
using System.Net;
using System.Text;
using Streaming.Core;
using Streaming.Transform;

namespace Streaming.Trainer.Training;

/// <summary>
/// training-curve.svg: two panels over the epochs. Above, the training and the validation loss in the same unit on one
/// axis (the training loss as the optimizer saw it; the validation loss the same quantity on the held-out rows:
/// log-loss for classification, the MSE of the standardised target for regression), so their gap is drawn as it is.
/// Below, the metric the task is judged and early-stopped by (AUC, accuracy, RMSE). The kept epoch is a dashed line
/// through both. Laid out by hand with room to spare for every label (text widths over-estimated), so nothing
/// overlaps or is clipped in a browser; a test renders it in Chromium and checks every text box.
/// </summary>
public static class CurvePlot
{
    public const int Width = 800, Height = 540;
    private const double Left = 92, Right = 776, LossTop = 86, LossBottom = 286, MetricTop = 330, MetricBottom = 470;
    private const string Blue = "#1f77b4", Orange = "#ff7f0e", Green = "#2ca02c", Gray = "#7f7f7f";

    /// <param name="metric">The monitored metric's name in the validation results (auc, accuracy, rmse); empty without validation.</param>
    /// <param name="labelStd">Regression: the label's standard deviation, which turns the validation RMSE into the training loss's unit.</param>
    public static string Svg(IReadOnlyList<EpochResult> history, TaskKind task, string metric, int bestEpoch, double labelStd = 1)
    {
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n"));
        svg.Append(Inv($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        Text(svg, Width / 2.0, 26, "Training curve", 16, anchor: "middle", bold: true);

        double? ValidationLoss(EpochResult e) => task == TaskKind.Regression
            ? e.Validation.TryGetValue("rmse", out var rmse) ? rmse * rmse / (labelStd * labelStd) : null
            : e.Validation.TryGetValue("logloss", out var ll) ? ll : null;
        var epochs = history.Select(e => (double)e.Epoch).ToArray();
        var train = history.Select(e => (double?)e.TrainLoss).ToArray();
        var validation = history.Select(ValidationLoss).ToArray();
        var metricValues = history.Select(e => e.Validation.TryGetValue(metric, out var v) ? (double?)v : null).ToArray();
        bool hasValidation = validation.Any(v => v is not null), hasMetric = metric != "" && metricValues.Any(v => v is not null);
        string lossUnit = task == TaskKind.Regression ? "loss (MSE, std. units)" : "loss (nats)";
        string metricTitle = metric switch { "auc" => "val. AUC", "accuracy" => "val. accuracy", "rmse" => "val. RMSE", "logloss" => "val. log-loss", _ => "val. " + metric };

        // Legend: one row under the title, items placed by over-estimated widths.
        var items = new List<(string Label, string Color, string Marker, bool Dashed)> { ("training loss", Blue, "circle", false) };
        if (hasValidation) items.Add(("validation loss", Orange, "square", false));
        if (hasMetric) items.Add((metricTitle.Replace("val.", "validation"), Green, "diamond", false));
        if (bestEpoch > 0) items.Add(($"kept: epoch {bestEpoch}", Gray, "", true));
        double legendWidth = items.Sum(i => 30 + EstimatedWidth(i.Label, 12)) + 24 * (items.Count - 1);
        double x = (Width - legendWidth) / 2;
        foreach (var (label, color, marker, dashed) in items)
        {
            svg.Append(Inv($"<line x1=\"{x:F1}\" y1=\"52\" x2=\"{x + 22:F1}\" y2=\"52\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"5,4\"" : "")}/>\n"));
            if (marker != "") Marker(svg, marker, x + 11, 52, color);
            Text(svg, x + 30, 56, label, 12);
            x += 30 + EstimatedWidth(label, 12) + 24;
        }

        double xMin = 1, xMax = Math.Max(2, history.Count == 0 ? 2 : history.Max(e => e.Epoch));
        double Px(double epoch) => Left + (epoch - xMin) / (xMax - xMin) * (Right - Left);
        var xTicks = AxisTicks.Of(xMin, xMax, 10, integers: true);
        void Panel(double top, double bottom, string title, IReadOnlyList<(double?[] Values, string Color, string Marker)> series)
        {
            var all = series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).ToList();
            double lo = all.Count > 0 ? all.Min() : 0, hi = all.Count > 0 ? all.Max() : 1;
            if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi))) { lo -= 0.5 * Math.Max(1e-6, Math.Abs(lo)); hi += 0.5 * Math.Max(1e-6, Math.Abs(hi)); }
            var yTicks = AxisTicks.Of(lo, hi, 5, integers: false);
            (lo, hi) = (Math.Min(lo, yTicks[0]), Math.Max(hi, yTicks[^1]));
            double Py(double v) => bottom - (v - lo) / (hi - lo) * (bottom - top);
            string format = TickFormat(yTicks);
            foreach (var t in yTicks)
            {
                svg.Append(Inv($"<line x1=\"{Left:F1}\" y1=\"{Py(t):F1}\" x2=\"{Right:F1}\" y2=\"{Py(t):F1}\" stroke=\"#dddddd\" stroke-dasharray=\"2,3\"/>\n"));
                Text(svg, Left - 8, Py(t) + 4, t.ToString(format, CultureInfo.InvariantCulture), 11, anchor: "end");
            }
            foreach (var t in xTicks)
                svg.Append(Inv($"<line x1=\"{Px(t):F1}\" y1=\"{top:F1}\" x2=\"{Px(t):F1}\" y2=\"{bottom:F1}\" stroke=\"#eeeeee\"/>\n"));
            svg.Append(Inv($"<rect x=\"{Left:F1}\" y=\"{top:F1}\" width=\"{Right - Left:F1}\" height=\"{bottom - top:F1}\" fill=\"none\" stroke=\"#444444\"/>\n"));
            Text(svg, 0, 0, title, 12, anchor: "middle", transform: Inv($"translate(20,{(top + bottom) / 2:F1}) rotate(-90)"));
            if (bestEpoch > 0)
                svg.Append(Inv($"<line x1=\"{Px(bestEpoch):F1}\" y1=\"{top:F1}\" x2=\"{Px(bestEpoch):F1}\" y2=\"{bottom:F1}\" stroke=\"{Gray}\" stroke-width=\"1.5\" stroke-dasharray=\"5,4\"/>\n"));
            foreach (var (values, color, marker) in series)
            {
                var points = epochs.Zip(values).Where(p => p.Second is not null).Select(p => (X: Px(p.First), Y: Py(p.Second!.Value))).ToList();
                if (points.Count > 1)
                    svg.Append(Inv($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(" ", points.Select(p => Inv($"{p.X:F1},{p.Y:F1}")))}\"/>\n"));
                if (points.Count <= 60) foreach (var (px, py) in points) Marker(svg, marker, px, py, color);
            }
        }
        var lossSeries = new List<(double?[], string, string)> { (train, Blue, "circle") };
        if (hasValidation) lossSeries.Add((validation, Orange, "square"));
        Panel(LossTop, LossBottom, lossUnit, lossSeries);
        if (hasMetric) Panel(MetricTop, MetricBottom, metricTitle, [(metricValues, Green, "diamond")]);
        double axisBottom = hasMetric ? MetricBottom : LossBottom;
        foreach (var t in xTicks) Text(svg, Px(t), axisBottom + 18, t.ToString("0", CultureInfo.InvariantCulture), 11, anchor: "middle");
        Text(svg, (Left + Right) / 2, axisBottom + 44, "epoch", 12, anchor: "middle");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>A generous width for text in a sans-serif font (DejaVu Sans averages ~0.55 em a character; 0.62 leaves room).</summary>
    public static double EstimatedWidth(string text, double size) => text.Length * size * 0.62;

    private static string TickFormat(double[] ticks)
    {
        double step = ticks.Length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(step) + 1e-9), 0, 8);
        if (ticks.Any(t => Math.Abs(t * Math.Pow(10, decimals) - Math.Round(t * Math.Pow(10, decimals))) > 1e-6)) decimals++;   // 2.5 steps
        return decimals == 0 ? "0" : "0." + new string('0', decimals);
    }

    private static void Marker(StringBuilder svg, string kind, double x, double y, string color)
    {
        svg.Append(kind switch
        {
            "circle" => Inv($"<circle cx=\"{x:F1}\" cy=\"{y:F1}\" r=\"3.5\" fill=\"{color}\"/>\n"),
            "square" => Inv($"<rect x=\"{x - 3.5:F1}\" y=\"{y - 3.5:F1}\" width=\"7\" height=\"7\" fill=\"{color}\"/>\n"),
            _ => Inv($"<polygon points=\"{x:F1},{y - 4.5:F1} {x + 4.5:F1},{y:F1} {x:F1},{y + 4.5:F1} {x - 4.5:F1},{y:F1}\" fill=\"{color}\"/>\n"),
        });
    }

    private static void Text(StringBuilder svg, double x, double y, string text, double size, string anchor = "start", bool bold = false, string? transform = null) =>
        svg.Append(Inv($"<text x=\"{x:F1}\" y=\"{y:F1}\" font-size=\"{size}\" text-anchor=\"{anchor}\"{(bold ? " font-weight=\"bold\"" : "")}{(transform is null ? "" : $" transform=\"{transform}\"")} fill=\"#222222\">{WebUtility.HtmlEncode(text)}</text>\n"));

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
