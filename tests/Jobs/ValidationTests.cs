using System.Globalization;
using System.Text.Json;

namespace Streaming.Tests;

/// <summary>
/// mapper schema / validate / report on real data: the anomalies a cron job alerts on (exit 1), every drift distance
/// reported and checked against an independent computation (numpy/scipy/pandas on the raw CSV), and the report
/// rendered by a real browser (headless Chromium).
/// </summary>
public class ValidationTests
{
    private const string AdultArgs = "--header none --trim --columns " + StatsJob.AdultColumns;

    /// <summary>Adult's training and test files through the statistics job, once per test run.</summary>
    private static readonly Lazy<(StatsJob.Result Train, StatsJob.Result Test)> AdultStats = new(() =>
        (StatsJob.Run(Repo.Data("adult.data"), AdultArgs, 1 << 20),
         StatsJob.Run(Repo.Data("adult.test"), AdultArgs + " --max-bad-fraction 0.001", 1 << 20)));

    private static ProcResult Mapper(params string[] args) => Proc.Run(Repo.Mapper, args);

    private static JsonElement Report(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    /// <summary>Our distances equal the exact ones within the sketches' error (L∞ of exact vocabularies: to the last bits).</summary>
    private static void AssertDistancesMatchPython(string report, string today, string baseline, params string[] extra)
    {
        var py = Proc.Python("drift_check.py", new[] { report, today, baseline }.Concat(extra).ToArray());
        Assert.That(py.ExitCode, Is.EqualTo(0), py.Stderr);
        var exact = py.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("column").GetString()!, e => e.GetProperty("exact").GetDouble());
        var columns = Report(report).GetProperty("columns").EnumerateArray().ToList();
        Assert.That(exact.Keys, Is.EquivalentTo(columns.Select(c => c.GetProperty("column").GetString())), "a distance for every column");
        foreach (var c in columns)
        {
            var drift = c.GetProperty("drift");
            string name = c.GetProperty("column").GetString()!;
            double ours = drift.GetProperty("distance").GetDouble();
            double tolerance = drift.GetProperty("metric").GetString() == "l_infinity" ? 1e-12 : 0.01;
            Assert.That(ours, Is.EqualTo(exact[name]).Within(tolerance), $"{name}: {drift.GetProperty("metric")}");
        }
    }

    [Test]
    public void AdultTestAgainstAdultDataNamesTheLabelsNewValuesAndReportsEveryDistance()
    {
        var (train, test) = AdultStats.Value;
        var dir = Repo.TempDir("validate-adult");
        string schema = Path.Combine(dir, "schema.json"), report = Path.Combine(dir, "validation.json");
        Assert.That(Mapper("schema", "--stats", train.OutputDir, "-o", schema).ExitCode, Is.EqualTo(0));
        var v = Mapper("validate", "--stats", test.OutputDir, "--schema", schema, "--baseline", train.OutputDir, "-o", report);
        Assert.That(v.ExitCode, Is.EqualTo(1), "anomalies: exit 1\n" + v.Stderr);
        var anomalies = Report(report).GetProperty("anomalies").EnumerateArray().ToList();
        var unseen = anomalies.Single(a => a.GetProperty("type").GetString() == "UnseenValues");
        Assert.That(unseen.GetProperty("column").GetString(), Is.EqualTo("income"));
        Assert.That(unseen.GetProperty("description").GetString(), Does.Contain("'>50K.'").And.Contain("'<=50K.'"));
        Assert.That(v.Stderr, Does.Contain("income: UnseenValues").And.Contain("drift: age "), "the human summary on stderr");
        AssertDistancesMatchPython(report, Repo.Data("adult.test"), Repo.Data("adult.data"), "--no-header", StatsJob.AdultColumns, "--skip-first-today");
    }

    [Test]
    public void BlackFridayAgainstItselfIsCleanAndAShiftedColumnIsFlagged()
    {
        var dir = Repo.TempDir("validate-bf");
        var shifted = Path.Combine(dir, "purchase-x1.5.csv");
        var lines = File.ReadAllLines(Repo.Data("blackfriday_sample.csv"));
        File.WriteAllLines(shifted, lines.Take(1).Concat(lines.Skip(1).Select(l =>
        {
            int comma = l.LastIndexOf(',');
            var p = l[(comma + 1)..];
            return p.Length == 0 ? l : l[..(comma + 1)] + (double.Parse(p, CultureInfo.InvariantCulture) * 1.5).ToString("R", CultureInfo.InvariantCulture);
        })));
        const string args = "--categorical Occupation --columns " + StatsJob.BlackFridayColumns;
        var baseline = StatsJob.Run(Repo.Data("blackfriday_sample.csv"), args, 300_000);
        var today = StatsJob.Run(shifted, args, 300_000);
        string schema = Path.Combine(dir, "schema.json"), clean = Path.Combine(dir, "clean.json"), drifted = Path.Combine(dir, "drifted.json");
        Assert.That(Mapper("schema", "--stats", baseline.OutputDir, "-o", schema).ExitCode, Is.EqualTo(0));

        var self = Mapper("validate", "--stats", baseline.OutputDir, "--schema", schema, "--baseline", baseline.OutputDir, "-o", clean);
        Assert.That(self.ExitCode, Is.EqualTo(0), self.Stderr);
        Assert.That(Report(clean).GetProperty("anomaly_count").GetInt32(), Is.EqualTo(0));
        Assert.That(Report(clean).GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("drift").GetProperty("distance").GetDouble()),
            Is.All.EqualTo(0.0), "identical data: every distance 0, and every one reported");

        var shift = Mapper("validate", "--stats", today.OutputDir, "--schema", schema, "--baseline", baseline.OutputDir, "-o", drifted);
        Assert.That(shift.ExitCode, Is.EqualTo(1), shift.Stderr);
        var flagged = Report(drifted).GetProperty("anomalies").EnumerateArray().Select(a => a.GetProperty("column").GetString()).Distinct();
        Assert.That(flagged, Is.EqualTo(new[] { "Purchase" }));
        var purchase = Report(drifted).GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("column").GetString() == "Purchase");
        Assert.That(purchase.GetProperty("drift").GetProperty("exceeded").GetBoolean(), Is.True);
        AssertDistancesMatchPython(drifted, shifted, Repo.Data("blackfriday_sample.csv"));
    }

    [Test]
    public void BadConfigurationIsExit2BeforeAnyWork()
    {
        var dir = Repo.TempDir("validate-bad");
        var stats = StatsJob.Run(Repo.Data("seattle-weather.csv"), "--columns date,precipitation,temp_max,temp_min,wind,weather", 100_000);
        File.WriteAllText(Path.Combine(dir, "bad.json"), "{\"version\":1,\"columns\":[{\"name\":\"x\",\"kind\":\"text\"}]}");
        var noRef = Mapper("validate", "--stats", stats.OutputDir);
        Assert.That(noRef.ExitCode, Is.EqualTo(2));
        Assert.That(noRef.Stderr, Does.Contain("needs --schema, --baseline or both"));
        var badSchema = Mapper("validate", "--stats", stats.OutputDir, "--schema", Path.Combine(dir, "bad.json"));
        Assert.That(badSchema.ExitCode, Is.EqualTo(2));
        Assert.That(badSchema.Stderr, Does.Contain("is not a schema: kind must be numeric or categorical"));
        Assert.That(Mapper("validate", "--stats", Path.Combine(dir, "none"), "--baseline", stats.OutputDir).ExitCode, Is.EqualTo(2));
    }

    /// <summary>The report opens in a real browser with no network: one row per column in file order, a chart in each, a picture that is not blank.</summary>
    [Test]
    public void TheReportRendersInChromium()
    {
        var (train, test) = AdultStats.Value;
        var dir = Repo.TempDir("report");
        string html = Path.Combine(dir, "report.html"), png = Path.Combine(dir, "report.png");
        var r = Mapper("report", "--stats", test.OutputDir, "--baseline", train.OutputDir, "-o", html);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var text = File.ReadAllText(html);
        Assert.That(text, Does.Not.Contain("http://").And.Not.Contain("https://").And.Not.Contain("<script"), "self-contained");

        string[] chromium = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,2600"];
        var dom = Proc.Run("chromium", chromium.Concat(["--dump-dom", "file://" + html]));
        Assert.That(dom.ExitCode, Is.EqualTo(0), dom.Stderr);
        var rows = System.Text.RegularExpressions.Regex.Matches(dom.Stdout, "<tr class=\"column[^\"]*\" data-column=\"([^\"]+)\">(.*?)</tr>",
            System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.That(rows.Select(m => m.Groups[1].Value), Is.EqualTo(StatsJob.AdultColumns.Split(',')), "a row per column, in file order");
        foreach (System.Text.RegularExpressions.Match m in rows)
            Assert.That(System.Text.RegularExpressions.Regex.Count(m.Groups[2].Value, "class=\"bar"), Is.GreaterThan(1), m.Groups[1].Value);
        Assert.That(rows.Single(m => m.Groups[1].Value == "income").Value, Does.Contain("class=\"column anomaly\""), "the drifted label is highlighted");

        var shot = Proc.Run("chromium", chromium.Concat([$"--screenshot={png}", "file://" + html]));
        Assert.That(File.Exists(png), Is.True, shot.Stderr);
        var pixels = Proc.Python("png_stats.py", png);
        Assert.That(pixels.ExitCode, Is.EqualTo(0), pixels.Stderr);
        using var stats = JsonDocument.Parse(pixels.Stdout);
        Assert.That(stats.RootElement.GetProperty("non_white_fraction").GetDouble(), Is.GreaterThan(0.03), "not blank");
        Assert.That(stats.RootElement.GetProperty("has_blue").GetBoolean() && stats.RootElement.GetProperty("has_orange").GetBoolean(), Is.True,
            "both distributions drawn");
    }

    /// <summary>A copy of a CSV file with one numeric column multiplied (a unit change upstream, the classic drift).</summary>
    private static string Scaled(string file, string column, double factor, string dir)
    {
        var lines = File.ReadAllLines(file);
        int index = Array.IndexOf(lines[0].Split(','), column);
        var path = Path.Combine(dir, $"{column}-x{factor}.csv");
        File.WriteAllLines(path, lines.Take(1).Concat(lines.Skip(1).Select(l =>
        {
            var f = l.Split(',');
            if (f[index].Length > 0) f[index] = (double.Parse(f[index], CultureInfo.InvariantCulture) * factor).ToString("R", CultureInfo.InvariantCulture);
            return string.Join(',', f);
        })));
        return path;
    }

    /// <summary>The cron job's day: the first run writes the schema; a drifted input stops before the transform (exit 1) unless --allow-drift.</summary>
    [Test]
    public void ThePipelineWritesTheSchemaFirstThenStopsOnDriftUnlessAllowed()
    {
        var dir = Repo.TempDir("pipeline-validate");
        string schema = Path.Combine(dir, "schema.json"), day1 = Path.Combine(dir, "day1"), day2 = Path.Combine(dir, "day2"), day3 = Path.Combine(dir, "day3");
        var weather = Repo.Data("seattle-weather.csv");
        var shifted = Scaled(weather, "temp_max", 1.8, dir);   // Celsius read as Fahrenheit-ish
        string[] plan = ["--label", "weather", "--drop", "date", "--block-size", "20000"];

        var first = Pipeline.Script("pipeline.sh", ["--input", weather, "--output", day1, "--schema", schema, .. plan]);
        Assert.That(first.ExitCode, Is.EqualTo(0), first.Stderr);
        Assert.That(File.Exists(schema), Is.True, "the first run writes the schema");
        Assert.That(File.ReadAllText(Path.Combine(day1, "report.html")), Does.Contain("data-column=\"temp_max\""));

        var second = Pipeline.Script("pipeline.sh", ["--input", shifted, "--output", day2, "--schema", schema, "--baseline", Path.Combine(day1, "stats"), .. plan]);
        Assert.That(second.ExitCode, Is.EqualTo(1), second.Stderr);
        Assert.That(second.Stderr, Does.Contain("validation failed"));
        Assert.That(Directory.Exists(Path.Combine(day2, "tfrecords")), Is.False, "nothing transformed");
        var anomalies = Report(Path.Combine(day2, "validation.json")).GetProperty("anomalies").EnumerateArray()
            .Select(a => a.GetProperty("column").GetString()).Distinct();
        Assert.That(anomalies, Is.EqualTo(new[] { "temp_max" }));
        Assert.That(File.ReadAllText(Path.Combine(day2, "report.html")), Does.Contain("class=\"column anomaly\" data-column=\"temp_max\""));

        var third = Pipeline.Script("pipeline.sh", ["--input", shifted, "--output", day3, "--schema", schema, "--baseline", Path.Combine(day1, "stats"), "--allow-drift", .. plan]);
        Assert.That(third.ExitCode, Is.EqualTo(0), third.Stderr);
        Assert.That(File.Exists(Path.Combine(day3, "tfrecords", "_manifest.json")), Is.True);
    }
}
