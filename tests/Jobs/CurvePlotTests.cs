using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Streaming.Tests;

/// <summary>
/// training-curve.svg as a browser draws it (headless Chromium, the fonts it has): every text box measured by the
/// browser itself, none clipped by the picture's edge, no two overlapping, the legend's labels whole; both losses on
/// the one loss axis, the task's metric in its own panel.
/// </summary>
public class CurvePlotTests
{
    private sealed record Box(string Text, double X, double Y, double W, double H);

    private static List<Box> Render(string svgFile)
    {
        var dir = Path.GetDirectoryName(svgFile)!;
        var html = Path.Combine(dir, "chart.html");
        File.WriteAllText(html, "<!doctype html><html><body style=\"margin:0\">" + File.ReadAllText(svgFile) + "<pre id=\"boxes\"></pre><script>"
            + "const svg = document.querySelector('svg'), o = svg.getBoundingClientRect();"
            + "document.getElementById('boxes').textContent = JSON.stringify([...svg.querySelectorAll('text')].map(t => { const r = t.getBoundingClientRect();"
            + " return { Text: t.textContent, X: r.left - o.left, Y: r.top - o.top, W: r.width, H: r.height }; }));</script></body></html>");
        var dom = Proc.Run("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1000,800", "--dump-dom", "file://" + html]);
        Assert.That(dom.ExitCode, Is.EqualTo(0), dom.Stderr);
        var json = WebUtility.HtmlDecode(Regex.Match(dom.Stdout, "<pre id=\"boxes\">(.*?)</pre>", RegexOptions.Singleline).Groups[1].Value);
        return JsonSerializer.Deserialize<List<Box>>(json)!;
    }

    private static void AssertReadable(List<Box> boxes, string[] legend)
    {
        Assert.That(boxes, Has.Count.GreaterThan(15), "titles, legend, ticks");
        foreach (var b in boxes)
        {
            Assert.That(b.W * b.H, Is.GreaterThan(0), $"'{b.Text}' is drawn");
            Assert.That(b.X >= 0 && b.Y >= 0 && b.X + b.W <= 800 && b.Y + b.H <= 540, $"'{b.Text}' at ({b.X:F0},{b.Y:F0}) {b.W:F0}×{b.H:F0} lies inside the picture");
        }
        for (int i = 0; i < boxes.Count; i++)
            for (int j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                double overlapX = Math.Min(a.X + a.W, b.X + b.W) - Math.Max(a.X, b.X), overlapY = Math.Min(a.Y + a.H, b.Y + b.H) - Math.Max(a.Y, b.Y);
                Assert.That(overlapX <= 0 || overlapY <= 0, $"'{a.Text}' and '{b.Text}' overlap");
            }
        foreach (var label in legend) Assert.That(boxes.Select(b => b.Text), Does.Contain(label), "the legend's label, whole");
    }

    [Test]
    public void BothLossesShareAnAxisTheMetricHasItsPanelAndNoTextOverlapsOrIsClipped()
    {
        // Regression (Black Friday): the validation RMSE in the training loss's unit, RMSE below.
        var dir = Repo.TempDir("curve");
        var r = Proc.Run(Repo.Trainer, "train", "--data", Pipeline.BlackFridayShards.Value, "--model", Path.Combine(dir, "bf"), "--epochs", "7",
            "--patience", "0", "--hidden", "32", "--seed", "2");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        int best = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bf", "metrics.json"))).RootElement.GetProperty("best_epoch").GetInt32();
        var svg = File.ReadAllText(Path.Combine(dir, "bf", "training-curve.svg"));
        Assert.That(Regex.Count(svg, "<polyline"), Is.EqualTo(3), "training loss, validation loss, validation RMSE");
        AssertReadable(Render(Path.Combine(dir, "bf", "training-curve.svg")), ["training loss", "validation loss", "validation RMSE", $"kept: epoch {best}", "loss (MSE, std. units)", "val. RMSE", "epoch"]);

        // Multiclass (Seattle weather, its date split into parts): log-loss both, accuracy below; 40 epochs of ticks.
        var outDir = Path.Combine(dir, "weather");
        var p = Pipeline.Run("--output", outDir, "--input", Repo.Data("seattle-weather.csv"), "--label", "weather", "--train", "--epochs 40 --patience 0 --hidden 16 --seed 1");
        Assert.That(p.ExitCode, Is.EqualTo(0), p.Stderr);
        best = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "model", "metrics.json"))).RootElement.GetProperty("best_epoch").GetInt32();
        AssertReadable(Render(Path.Combine(outDir, "model", "training-curve.svg")), ["training loss", "validation loss", "validation accuracy", $"kept: epoch {best}", "loss (nats)", "val. accuracy"]);
    }
}
