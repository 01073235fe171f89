using Streaming.Contract;

namespace Streaming.Tests;

/// <summary>Bad plan options and inputs give one clear line and exit code 2, and write nothing.</summary>
public class PlanTests
{
    private static string Stats()
    {
        var job = StatsJob.Run(Repo.Data("blackfriday_sample.csv"), "--columns " + StatsJob.BlackFridayColumns, 300_000);
        return job.OutputDir;
    }

    private static readonly Lazy<string> StatsDir = new(Stats);

    [TestCase("--label", "Nope", "--label names column 'Nope'")]
    [TestCase("--drop", "Age,Nope", "--drop names column 'Nope'")]
    [TestCase("--impute", "Purchase=sometimes", "--impute for 'Purchase' must be mean|median|zero|constant:V")]
    [TestCase("--scale", "log", "--scale for 'User_ID' must be minmax|zscore|none")]
    [TestCase("--label", "Product_Category_2", "label 'Product_Category_2' has 6194 missing values: say what to do with them")]
    [TestCase("--columns", "a,b,c", "do not match the statistics' columns")]
    public void OptionErrors(string option, string value, string message)
    {
        var output = Path.Combine(Repo.TempDir("plan"), "_transform.json");
        var r = Proc.Run(Repo.Mapper, "plan", "--stats", StatsDir.Value, option, value, "-o", output);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Usage), r.Stderr);
        Assert.That(r.Stderr, Does.Contain(message));
        Assert.That(File.Exists(output), Is.False, "nothing half-written");
    }

    [Test]
    public void StatsThatDoNotParse()
    {
        var bad = Path.Combine(Repo.TempDir("badstats"), "stats.jsonl");
        File.WriteAllText(bad, "Age\t{\"column\": \"Age\", broken\n");
        var r = Proc.Run(Repo.Mapper, "plan", "--stats", bad);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(r.Stderr, Does.Contain("is not a statistics artifact"));
    }

    [Test]
    public void InputWhoseHeaderDoesNotMatchThePlan()
    {
        var dir = Repo.TempDir("mismatch");
        var plan = Path.Combine(dir, "_transform.json");
        Assert.That(Proc.Run(Repo.Mapper, "plan", "--stats", StatsDir.Value, "--label", "Purchase", "--header", "present", "-o", plan).ExitCode, Is.EqualTo(0));
        var weather = File.ReadAllBytes(Repo.Data("seattle-weather.csv"));
        var r = Proc.Run(Repo.Mapper, new[] { "transform", "--plan", plan, "--output-dir", dir }, weather);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(r.Stderr, Does.Contain("header line does not match --columns"));
    }
}
