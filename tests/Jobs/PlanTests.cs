using Streaming.Core;
using Streaming.Csv;
using Streaming.Transform;

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
    [TestCase("--label", "Product_Category_2", "--label-missing drop|error is needed: label 'Product_Category_2' has 6194 missing values")]
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

    [Test]
    public void EveryKindOfFeatureRoundTripsByteForByte()
    {
        // Numeric (median, zscore), one-hot and index categoricals, missing indicators, a class label with an alias.
        var plan = Path.Combine(Repo.TempDir("kinds"), "_transform.json");
        var r = Proc.Run(Repo.Mapper, "plan", "--stats", StatsDir.Value, "--label", "Gender", "--label-alias", "Female:F",
            "--impute", "median,Product_Category_3=constant:-1", "--scale", "zscore,Occupation=none", "--encoding", "index,City_Category=onehot",
            "--categorical", "User_ID,Product_ID", "--missing-indicator", "all", "-o", plan);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var json = File.ReadAllText(plan);
        foreach (var kind in new[] { "\"numeric\"", "\"categorical\"", "\"missing_indicator\"", "\"onehot\"", "\"zscore\"", "\"none\"", "\"constant:-1\"", "\"binary\"" })
            Assert.That(json, Does.Contain(kind));
        var loaded = TransformPlan.Load(plan);
        Assert.That(loaded.ToJson() + "\n", Is.EqualTo(json), "read and written again, the plan is the same bytes");
        Assert.That(loaded.Features.OfType<NumericFeature>().Single(f => f.Name == "Product_Category_3").ImputeValue, Is.EqualTo(-1));
        Assert.That(loaded.Features.OfType<CategoricalFeature>().Single(f => f.Name == "City_Category").Length, Is.EqualTo(3 + 1 + 1));
        Assert.That(loaded.ForInputColumns(["Product_Category_3", "Occupation", .. loaded.Csv.Columns.Reverse()]).ToJson(), Is.Not.EqualTo(loaded.ToJson()));
        Assert.That(loaded.ToJson() + "\n", Is.EqualTo(json), "binding a copy to other columns leaves the plan alone");
    }

    [TestCase("\"type\": \"numeric\", \"impute\": \"mean\", \"impute_value\": 1, \"scale\": \"minmax\", \"factor\": 1", "numeric feature 'a' has no 'offset'")]
    [TestCase("\"type\": \"numeric\", \"impute\": \"mean\", \"impute_value\": 1, \"scale\": \"log\", \"offset\": 0, \"factor\": 1", "'log'")]
    [TestCase("\"type\": \"bucketized\"", "feature 'a' has type 'bucketized', not numeric|categorical|missing_indicator")]
    [TestCase("\"type\": \"categorical\", \"encoding\": \"hashed\", \"vocabulary\": []", "'hashed'")]
    public void AFeatureTheTransformCannotApplyIsRefusedWhenThePlanIsRead(string members, string message)
    {
        var json = $$"""{"version": 1, "csv": {"columns": ["a"]}, "features": [{"name": "a", "source": "a", {{members}}}]}""";
        var e = Assert.Throws<ConfigException>(() => TransformPlan.FromJson(json));
        Assert.That(e!.Message, Does.StartWith("_transform.json is not a transform plan").And.Contain(message));
    }

    [Test]
    public void APlanWithOnlyTheRequiredMembersTakesTheDocumentedDefaults()
    {
        var plan = TransformPlan.FromJson("""
            {"csv": {"columns": ["a", "y"]}, "label": {"name": "y", "source_index": 1, "task": "binary", "classes": ["n", "p"]},
             "features": [{"name": "a", "source": "a", "type": "categorical", "vocabulary": ["u"]}]}
            """);
        Assert.That((plan.Version, plan.Compression, plan.Csv.Delimiter, plan.Csv.Quote, plan.Csv.Header, plan.Csv.Trim, plan.Csv.MaxLineBytes),
            Is.EqualTo((1, "gzip", ",", "\"", "auto", true, 1 << 20)));
        Assert.That(plan.Csv.Missing, Is.EqualTo(CsvOptions.DefaultMissingTokens));
        Assert.That(plan.Label!.MissingPolicy, Is.EqualTo(LabelMissingPolicy.Error));
        var a = (CategoricalFeature)plan.Features[0];
        Assert.That((a.Encoding, a.OovBuckets, a.Cardinality), Is.EqualTo((CategoricalEncoding.Index, 0, 2)));
    }

    [Test]
    public void TheLibraryNamesTheSettingAndTheCommandLineItsFlag()
    {
        // Below the jobs no layer knows the command line: a bad setting is named, and the executable shows its flag.
        var e = Assert.Throws<ConfigException>(() => TfRecord.TfRecordCompressionExtensions.Parse("lz4"));
        Assert.That((e!.Setting, e.Message), Is.EqualTo(("compression", "compression must be gzip|zlib|none, got 'lz4'")));
        Assert.That(e.CommandLineMessage, Is.EqualTo("--compression must be gzip|zlib|none, got 'lz4'"));
        var r = Proc.Run(Repo.Mapper, "plan", "--stats", StatsDir.Value, "--compression", "lz4");
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(r.Stderr, Does.Contain("--compression must be gzip|zlib|none, got 'lz4'"));
    }
}
