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
    [TestCase("--numeric", "Gender", "--numeric 'Gender' is not a numeric column")]
    [TestCase("--bins", "1", "--bins must be 0 (none) or 2..1024")]
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
    public void NumberCodesBecomeCategoricalAndRepeatedWholeNumbersGetATwinUnlessToldOtherwise()
    {
        // No --categorical: the plan types Black Friday's columns from the statistics alone.
        var dir = Repo.TempDir("types");
        var r = Proc.Run(Repo.Mapper, "plan", "--stats", StatsDir.Value, "--label", "Purchase", "-o", Path.Combine(dir, "a.json"));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var plan = TransformPlan.Load(Path.Combine(dir, "a.json"));
        string Kind(string name) => plan.Features.Single(f => f.Name == name) switch { NumericFeature => "numeric", CategoricalFeature => "categorical", var f => f.GetType().Name };
        // Whole numbers, at most 32 values (21 occupations, 2 marital states, up to 20 product categories): codes.
        foreach (var code in new[] { "Occupation", "Marital_Status", "Product_Category_1", "Product_Category_2", "Product_Category_3" })
            Assert.That(Kind(code), Is.EqualTo("categorical"), code);
        Assert.That(r.Stderr, Does.Contain("categorical as codes (whole numbers, at most 32 distinct values): Occupation,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3"));
        // 2,664 users in 19,280 rows: the number and a twin of the 2,194 users seen at least twice (pandas' value_counts).
        Assert.That(Kind("User_ID"), Is.EqualTo("numeric"));
        var twin = plan.Features.OfType<CategoricalFeature>().Single(f => f.Name == "User_ID_category");
        Assert.That(twin.Source, Is.EqualTo("User_ID"));
        Assert.That(twin.VocabularySize, Is.EqualTo(2194), "users seen at least twice");
        Assert.That(plan.Features.Count(f => f.Source == "User_ID"), Is.EqualTo(2));
        Assert.That(Kind("Product_ID"), Is.EqualTo("categorical"), "text stays categorical");
        Assert.That(plan.Label!.Mean, Is.EqualTo(9227.909595435685).Within(1e-9), "the label's exact mean (pandas)");

        // --numeric keeps a number alone (no twin, no code); --categorical makes the id one category.
        r = Proc.Run(Repo.Mapper, "plan", "--stats", StatsDir.Value, "--label", "Purchase", "--numeric", "Occupation,User_ID", "--categorical", "Marital_Status",
            "-o", Path.Combine(dir, "b.json"));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        plan = TransformPlan.Load(Path.Combine(dir, "b.json"));
        Assert.That((Kind("Occupation"), Kind("User_ID"), Kind("Marital_Status")), Is.EqualTo(("numeric", "numeric", "categorical")));
        Assert.That(plan.Features.Any(f => f.Name == "User_ID_category"), Is.False);
        var both = Proc.Run(Repo.Mapper, "plan", "--stats", StatsDir.Value, "--label", "Purchase", "--numeric", "Occupation", "--categorical", "Occupation");
        Assert.That(both.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(both.Stderr, Does.Contain("'Occupation' is also given to --categorical"));
    }

    [Test]
    public void NumericBinsComeFromTheQuantilesEvenForAColumnThatIsMostlyZeros()
    {
        var job = StatsJob.Run(Repo.Data("adult.data"), "--header none --columns " + StatsJob.AdultColumns, 1_000_000);
        var file = Path.Combine(Repo.TempDir("bins"), "_transform.json");
        var r = Proc.Run(Repo.Mapper, "plan", "--stats", job.OutputDir, "--header", "none", "--columns", StatsJob.AdultColumns, "--label", "income", "-o", file);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var numeric = TransformPlan.Load(file).Features.OfType<NumericFeature>().ToDictionary(f => f.Name);
        foreach (var f in numeric.Values)
        {
            var bins = f.Bins!;
            Assert.That(bins, Is.Ordered.Ascending, f.Name);
            Assert.That(bins.Distinct().Count(), Is.EqualTo(bins.Count), $"{f.Name}: strictly increasing");
            Assert.That(bins[0], Is.EqualTo(0.0), $"{f.Name}: the minimum, scaled by minmax");
            Assert.That(bins[^1], Is.EqualTo(1.0).Within(1e-12), $"{f.Name}: the maximum");
            Assert.That(bins, Has.Count.InRange(3, PlanOptions.DefaultBins + 1), f.Name);
        }
        // 91.7 % of capital-gain is 0: quantiles at 1/16 … 15/16 are all 0 there; the bins lie among the other values.
        Assert.That(numeric["capital-gain"].Bins, Has.Count.EqualTo(PlanOptions.DefaultBins + 1));
        Assert.That(numeric["capital-gain"].Bins!.Count(b => b > 0 && b < 0.1), Is.GreaterThan(5), "most edges between 0 and 9,999 (of 99,999)");
        Assert.That(numeric["age"].Bins, Has.Count.EqualTo(PlanOptions.DefaultBins + 1));
        r = Proc.Run(Repo.Mapper, "plan", "--stats", job.OutputDir, "--header", "none", "--columns", StatsJob.AdultColumns, "--label", "income", "--bins", "0", "-o", file);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(TransformPlan.Load(file).Features.OfType<NumericFeature>().All(f => f.Bins is null));
    }

    [Test]
    public void EveryKindOfFeatureRoundTripsByteForByte()
    {
        // Numeric (median, zscore), one-hot and index categoricals, missing indicators, a class label with an alias.
        var plan = Path.Combine(Repo.TempDir("kinds"), "_transform.json");
        var r = Proc.Run(Repo.Mapper, "plan", "--stats", StatsDir.Value, "--label", "Gender", "--label-alias", "Female:F",
            "--impute", "median,Product_Category_3=constant:-1", "--scale", "zscore,Occupation=none", "--encoding", "index,City_Category=onehot",
            "--categorical", "User_ID,Product_ID", "--numeric", "Occupation,Product_Category_2,Product_Category_3", "--missing-indicator", "all", "-o", plan);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var json = File.ReadAllText(plan);
        foreach (var kind in new[] { "\"numeric\"", "\"categorical\"", "\"missing_indicator\"", "\"onehot\"", "\"zscore\"", "\"none\"", "\"constant:-1\"", "\"binary\"", "\"bins\"" })
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
