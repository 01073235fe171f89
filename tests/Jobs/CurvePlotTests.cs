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

/// <summary>The picture so far while training runs: MODEL.progress/ holds the chart and metrics after every epoch; the model directory appears only complete.</summary>
public class TrainingProgressTests
{
    [Test]
    public void TheChartSoFarIsWrittenAfterEveryEpochBesideAModelThatAppearsOnlyWhenDone()
    {
        var dir = Repo.TempDir("progress");
        string model = Path.Combine(dir, "m"), chart = Path.Combine(model + ".progress", "training-curve.svg");
        var psi = new System.Diagnostics.ProcessStartInfo(Repo.Trainer) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "train", "--data", Pipeline.BlackFridayShards.Value, "--model", model, "--epochs", "40", "--patience", "0", "--hidden", "16", "--seed", "5" })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var seen = new SortedSet<int>();
        while (!p.HasExited)
        {
            try
            {
                if (File.Exists(chart))
                {
                    var svg = File.ReadAllText(chart);   // replaced whole (renamed into place): never half a file
                    Assert.That(svg, Does.StartWith("<svg").And.EndWith("</svg>\n"));
                    var epochs = JsonDocument.Parse(File.ReadAllText(Path.Combine(model + ".progress", "metrics.json"))).RootElement.GetProperty("epochs").GetArrayLength();
                    if (epochs < 40) Assert.That(File.Exists(Path.Combine(model, "model.json")), Is.False, "no model directory while training runs");
                    seen.Add(epochs);
                }
            }
            catch (IOException) { }   // renamed between the check and the read
            Thread.Sleep(20);
        }
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), stderr.Result);
        TestContext.Out.WriteLine($"epochs seen in the progress picture: {string.Join(",", seen)}");
        Assert.That(seen, Has.Count.GreaterThanOrEqualTo(3), "the picture grew epoch by epoch while training ran");
        Assert.That(Directory.Exists(model + ".progress"), Is.False, "gone once the model is saved");
        Assert.That(File.Exists(Path.Combine(model, "training-curve.svg")), Is.True);
    }
}

/// <summary>
/// The statistics report in Chromium: share and value axes on every histogram, one bar per value for a whole-number
/// column, quantiles in the summary, one number format (no exponents), the missing share drawn, and in no chart two
/// labels on top of each other or outside it (against a baseline too: percentages after the longer bar).
/// </summary>
public class ReportLayoutTests
{
    [Test]
    public void EveryChartHasAxesAndNoLabelOverlapsAndNumbersReadAlike()
    {
        var dir = Repo.TempDir("report-layout");
        var train = StatsJob.Run(Repo.Data("adult.data"), "--header none --columns " + StatsJob.AdultColumns, 1_000_000);
        var test = StatsJob.Run(Repo.Data("adult.test"), "--header none --columns " + StatsJob.AdultColumns + " --max-bad-fraction 0.01", 1_000_000);
        var html = Path.Combine(dir, "report.html");
        var r = Proc.Run(Repo.Mapper, "report", "--stats", test.OutputDir, "--baseline", train.OutputDir, "--label", "income", "--title", "Adult: test against train", "-o", html);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var page = File.ReadAllText(html);
        // The label's classes, counted here and shared beside the baseline's (adult.test spells them with a '.').
        var classes = System.Text.RegularExpressions.Regex.Match(page, "<table class=\"classes\">(.*?)</table>").Groups[1].Value;
        Assert.That(classes, Does.Contain("<td>&lt;=50K.</td><td class=\"num\">12,435</td><td class=\"num\">76.377 %</td><td class=\"num\">0 %</td>"));
        Assert.That(classes, Does.Contain("<td>&gt;50K.</td><td class=\"num\">3,846</td>"));
        Assert.That(page, Does.Contain("<span class=\"label\">label</span>"));
        Assert.That(page, Does.Contain("median ").And.Contain("25 % ").And.Contain("75 % "), "the quantiles");
        var body = page[page.IndexOf("<body>", StringComparison.Ordinal)..];
        Assert.That(System.Text.RegularExpressions.Regex.Matches(body, @">([^<]*(?<![\w.])\d+(\.\d+)?[eE][+-]?\d+[^<]*)<").Select(m => m.Groups[1].Value), Is.Empty, "no number in exponent notation");
        Assert.That(System.Text.RegularExpressions.Regex.Count(page, "class=\"bar missing\""), Is.EqualTo(15), "the missing share drawn per column");
        var boxes = BrowserBoxes.Measure(html);
        BrowserBoxes.AssertReadable(boxes);
        // education-num: 16 whole numbers, one labelled bar each, 1 … 16 in order.
        var labels = boxes.Where(b => b.Text is "1" or "2" or "15" or "16").GroupBy(b => b.Svg).Where(g => g.Count() == 4).ToList();
        Assert.That(labels, Is.Not.Empty, "a chart labelled with the values 1, 2, 15, 16");
        var histograms = boxes.Where(b => b.Text.EndsWith(" %")).Select(b => b.Svg).Distinct().Count();
        Assert.That(histograms, Is.EqualTo(6), "a share axis on each numeric column's histogram");
    }
}
