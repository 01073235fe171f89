using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using Streaming.Transform;

namespace Streaming.Trainer.Training;

/// <summary>
/// training-curve.svg, drawn by OxyPlot: training loss per epoch on the left axis, the monitored validation metric on
/// the right axis (each axis ticked and titled with its unit, scaled to its own series so both read), and the kept
/// (best) epoch marked.
/// </summary>
public static class CurvePlot
{
    public static string Svg(IReadOnlyList<EpochResult> history, TaskKind task, string validationName, int bestEpoch)
    {
        var model = new PlotModel
        {
            Title = "Training curve", Background = OxyColors.White, TitleFontSize = 14, Padding = new OxyThickness(10, 28, 10, 10),
            DefaultFont = "sans-serif",
        };
        string loss = task switch
        {
            TaskKind.Regression => "training loss (MSE of the standardised target)",
            TaskKind.Binary => "training loss (log-loss, nats)",
            _ => "training loss (cross-entropy, nats)",
        };
        string unit = validationName switch
        {
            "rmse" or "mae" => "label units",
            "logloss" => "nats",
            _ => "",
        };
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom, Title = "epoch", Minimum = 0.8, Maximum = Math.Max(2, history.Count) + 0.2,
            MajorStep = Math.Max(1, Math.Ceiling(history.Count / 10.0)), MinorStep = 1, MajorGridlineStyle = LineStyle.Dot,
        });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Key = "loss", Title = loss, MajorGridlineStyle = LineStyle.Dot, TitleColor = OxyColor.FromRgb(0x1f, 0x77, 0xb4) });
        var train = new LineSeries { Title = "training loss", YAxisKey = "loss", Color = OxyColor.FromRgb(0x1f, 0x77, 0xb4), MarkerType = MarkerType.Circle, MarkerSize = 3 };
        foreach (var e in history) train.Points.Add(new DataPoint(e.Epoch, e.TrainLoss));
        model.Series.Add(train);
        var points = history.Where(e => e.Validation.ContainsKey(validationName)).Select(e => new DataPoint(e.Epoch, e.Validation[validationName])).ToList();
        if (points.Count > 0)
        {
            model.Axes.Add(new LinearAxis { Position = AxisPosition.Right, Key = "val", Title = $"validation {validationName}{(unit == "" ? "" : $" ({unit})")}", AxisTitleDistance = 12, TitleColor = OxyColor.FromRgb(0xff, 0x7f, 0x0e) });
            var val = new LineSeries { Title = $"validation {validationName}", YAxisKey = "val", Color = OxyColor.FromRgb(0xff, 0x7f, 0x0e), MarkerType = MarkerType.Square, MarkerSize = 3 };
            val.Points.AddRange(points);
            model.Series.Add(val);
        }
        if (bestEpoch > 0)
            model.Annotations.Add(new LineAnnotation
            {
                Type = LineAnnotationType.Vertical, X = bestEpoch, Color = OxyColors.Gray, LineStyle = LineStyle.Dash,
                Text = $"kept: epoch {bestEpoch}", TextOrientation = AnnotationTextOrientation.Horizontal, YAxisKey = "loss",
                TextVerticalAlignment = VerticalAlignment.Bottom, TextPadding = 6,
            });
        model.Legends.Add(new Legend
        {
            LegendPosition = LegendPosition.BottomCenter, LegendPlacement = LegendPlacement.Outside, LegendOrientation = LegendOrientation.Horizontal,
            LegendItemSpacing = 60, LegendSymbolMargin = 8,
        });
        return SvgExporter.ExportToString(model, 800, 460, isDocument: true);
    }
}
