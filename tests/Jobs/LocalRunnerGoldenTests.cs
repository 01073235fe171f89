namespace Streaming.Tests;

/// <summary>The local runner reproduces real Hadoop 2.7 Streaming outputs (shared/hadoop-golden) byte for byte.</summary>
public class LocalRunnerGoldenTests
{
    private static ProcResult RunJob(params string[] args) => Proc.Run(Repo.Runner, args);

    private static void AssertSameFiles(string expectedDir, string actualDir)
    {
        var expected = Directory.GetFiles(expectedDir, "part-*").Select(Path.GetFileName).Order().ToArray();
        var actual = Directory.GetFiles(actualDir, "part-*").Select(Path.GetFileName).Order().ToArray();
        Assert.That(actual, Is.EqualTo(expected), "part files");
        foreach (var f in expected)
            Assert.That(File.ReadAllBytes(Path.Combine(actualDir, f!)), Is.EqualTo(File.ReadAllBytes(Path.Combine(expectedDir, f!))), f);
        Assert.That(File.Exists(Path.Combine(actualDir, "_SUCCESS")), "_SUCCESS");
        Assert.That(Directory.Exists(Path.Combine(actualDir, "_temporary")), Is.False, "_temporary removed");
    }

    [TestCase(1), TestCase(2), TestCase(3), TestCase(7)]
    public void PartitionAndSortOrder(int reducers)
    {
        var outDir = Path.Combine(Repo.TempDir("golden-ps"), "out");
        var r = RunJob("-input", Repo.Golden("partition-sort/input.txt"), "-output", outDir, "-mapper", "cat", "-reducer", "cat",
            "-numReduceTasks", reducers.ToString());
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        AssertSameFiles(Repo.Golden($"partition-sort/reducers-{reducers}"), outDir);
    }

    /// <summary>One key's values from several maps reach the reducer in Hadoop's merge order, not map order.</summary>
    [TestCase(6, 15000, 1), TestCase(6, 15000, 2), TestCase(9, 10000, 1), TestCase(9, 10000, 2)]
    public void ReduceValueOrderIsHadoopsMergeOrder(int maps, int blockSize, int reducers)
    {
        var outDir = Path.Combine(Repo.TempDir("golden-rvo"), "out");
        var r = RunJob("-D", $"fs.local.block.size={blockSize}", "-input", Repo.Golden("reduce-value-order/input.txt"), "-output", outDir,
            "-mapper", "awk '{print $1 \"\\t\" ENVIRON[\"mapreduce_map_input_start\"]}'", "-reducer", "cat", "-numReduceTasks", reducers.ToString());
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        AssertSameFiles(Repo.Golden($"reduce-value-order/maps-{maps}-reducers-{reducers}"), outDir);
    }

    [TestCase("splits-crlf", "input.csv", 2000, 7)]
    [TestCase("splits-mixed", "input.txt", 700, 3)]
    public void SplitsAndLineOwnership(string golden, string input, int blockSize, int splits)
    {
        var outDir = Path.Combine(Repo.TempDir("golden-splits"), "out");
        var r = RunJob("-D", $"fs.local.block.size={blockSize}", "-files", Repo.Golden($"{golden}/tagger.sh"),
            "-input", Repo.Golden($"{golden}/{input}"), "-output", outDir, "-mapper", "tagger.sh", "-numReduceTasks", "0");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(Directory.GetFiles(outDir, "part-*"), Has.Length.EqualTo(splits));
        AssertSameFiles(Repo.Golden($"{golden}/output"), outDir);
    }

    [Test]
    public void MapOnlyAndReducerLineFormatting()
    {
        var dir = Repo.TempDir("golden-notab");
        var r1 = RunJob("-input", Repo.Golden("map-only-no-tab/input.txt"), "-output", Path.Combine(dir, "a"), "-mapper", "cat", "-numReduceTasks", "0");
        Assert.That(r1.ExitCode, Is.EqualTo(0), r1.Stderr);
        AssertSameFiles(Repo.Golden("map-only-no-tab/output-map-only"), Path.Combine(dir, "a"));
        var r2 = RunJob("-input", Repo.Golden("map-only-no-tab/input.txt"), "-output", Path.Combine(dir, "b"), "-mapper", "cat", "-reducer", "cat");
        Assert.That(r2.ExitCode, Is.EqualTo(0), r2.Stderr);
        AssertSameFiles(Repo.Golden("map-only-no-tab/output-cat-reducer"), Path.Combine(dir, "b"));
    }

    [Test]
    public void CountersAreSummedDeltasLikeTheJobSummary()
    {
        var dir = Repo.TempDir("golden-counters");
        var countersJson = Path.Combine(dir, "counters.json");
        var r = RunJob("-D", "fs.local.block.size=5000", "-files", Repo.Golden("counters.sh"), "-input", Repo.Golden("splits-crlf/input.csv"),
            "-output", Path.Combine(dir, "out"), "-mapper", "counters.sh", "-numReduceTasks", "0", "-countersFile", countersJson);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        // The figures real Hadoop printed for this job (counters-job-summary.txt).
        var golden = File.ReadAllText(Repo.Golden("counters-job-summary.txt"));
        foreach (var line in new[] { "Map input records=401", "Map output records=3", "With Space=15", "Bulk=401", "Rows=401" })
        {
            Assert.That(golden, Does.Contain(line));
            Assert.That(r.Stderr, Does.Contain("\t\t" + line), line);
        }
        Assert.That(r.Stderr, Does.Contain("\tOther Group\n\t\tWith Space=15"));
        Assert.That(Directory.GetFiles(Path.Combine(dir, "out"), "part-*"), Has.Length.EqualTo(3));
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(countersJson));
        Assert.That(doc.RootElement.GetProperty("Streaming").GetProperty("Rows").GetInt64(), Is.EqualTo(401));
    }
}
