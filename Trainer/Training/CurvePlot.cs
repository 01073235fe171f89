using System.Globalization;
using System.Text;

namespace Streaming.Trainer.Training;

/// <summary>The training curve as a small self-contained SVG: training loss and the monitored validation metric per epoch.</summary>
public static class CurvePlot
{
    public static string Svg(IReadOnlyList<double> trainLoss, IReadOnlyList<double> validation, string validationName)
    {
        const int W = 640, H = 360, L = 60, R = 20, T = 30, B = 40;
        var sb = new StringBuilder();
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append($"<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>\n<text x=\"{L}\" y=\"18\">training loss (blue, left axis) and validation {validationName} (orange, right axis) per epoch</text>\n");
        sb.Append($"<line x1=\"{L}\" y1=\"{H - B}\" x2=\"{W - R}\" y2=\"{H - B}\" stroke=\"black\"/><line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{H - B}\" stroke=\"black\"/>\n");
        void Series(IReadOnlyList<double> ys, string color, bool right)
        {
            if (ys.Count == 0) return;
            double lo = ys.Min(), hi = ys.Max();
            if (hi - lo < 1e-12) { hi = lo + 1; }
            int n = Math.Max(2, ys.Count);
            var pts = ys.Select((y, i) => $"{F(L + (W - L - R) * (double)i / (n - 1))},{F(H - B - (H - T - B) * (y - lo) / (hi - lo))}");
            sb.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', pts)}\"/>\n");
            double x = right ? W - R - 4 : L + 4;
            string anchor = right ? "end" : "start";
            sb.Append($"<text x=\"{F(x)}\" y=\"{T + 12}\" fill=\"{color}\" text-anchor=\"{anchor}\">max {hi.ToString("G4", CultureInfo.InvariantCulture)}</text>\n");
            sb.Append($"<text x=\"{F(x)}\" y=\"{H - B - 4}\" fill=\"{color}\" text-anchor=\"{anchor}\">min {lo.ToString("G4", CultureInfo.InvariantCulture)}</text>\n");
        }
        Series(trainLoss, "#1f77b4", false);
        Series(validation, "#ff7f0e", true);
        for (int i = 0; i < trainLoss.Count; i++)
            sb.Append($"<text x=\"{F(L + (W - L - R) * (double)i / Math.Max(1, trainLoss.Count - 1))}\" y=\"{H - B + 16}\" text-anchor=\"middle\">{i + 1}</text>\n");
        sb.Append($"<text x=\"{W / 2}\" y=\"{H - 6}\" text-anchor=\"middle\">epoch</text>\n</svg>\n");
        return sb.ToString();
    }
}
