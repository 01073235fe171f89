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
    private static List<BrowserBoxes.Box> Render(string svgFile)
    {
        var html = Path.Combine(Path.GetDirectoryName(svgFile)!, "chart.html");
        File.WriteAllText(html, "<!doctype html><html><body style=\"margin:0\">" + File.ReadAllText(svgFile) + "</body></html>");
        return BrowserBoxes.Measure(html, "1000,800");
    }

    private static void AssertReadable(List<BrowserBoxes.Box> boxes, string[] legend)
    {
        Assert.That(boxes, Has.Count.GreaterThan(15), "titles, legend, ticks");
        Assert.That(boxes.Select(b => (b.SvgW, b.SvgH)).Distinct(), Is.EqualTo(new[] { (800.0, 540.0) }));
        BrowserBoxes.AssertReadable(boxes);
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
