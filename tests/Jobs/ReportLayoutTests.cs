namespace Streaming.Tests;

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
