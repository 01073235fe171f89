using System.Text.Json;
using Streaming.Transform;
using Streaming.Storage;
using Streaming.Hadoop;

namespace Streaming.Tests;

/// <summary>
/// The transform job end to end (statistics → plan → TFRecords, ≥ 4 map tasks through the local runner), read back
/// by two readers independent of our code: the npm package @roboflow/tfrecords and a Python reader on protoc-generated
/// messages + crc32c, which also recomputes every feature from the raw CSV and _transform.json.
/// </summary>
public class TransformPipelineTests
{
    private const string BlackFridayCategorical = "User_ID,Product_ID,Occupation,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3";

    private static string RunPipeline(string name, params string[] args)
    {
        var outDir = Path.Combine(Repo.TempDir(name), "out");
        var r = Pipeline.Run(new[] { "--output", outDir }.Concat(args).ToArray());
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        return outDir;
    }

    private static JsonElement PythonVerify(string dir, string csv, bool unordered = false)
    {
        var args = new List<string> { "--pb", Pipeline.PythonProtos.Value, "--dir", dir, "--csv", csv };
        if (unordered) args.Add("--unordered");
        var py = Proc.Python("verify_tfrecords.py", args.ToArray());
        Assert.That(py.ExitCode, Is.EqualTo(0), py.Stderr + py.Stdout);
        return JsonDocument.Parse(py.Stdout).RootElement;
    }

    [Test]
    public void BlackFridayShardsAreReadByBothIndependentReadersAndMatchThePythonTransform()
    {
        var csv = Repo.Data("blackfriday_sample.csv");
        var outDir = RunPipeline("bf", "--input", csv, "--block-size", "150000", "--label", "Purchase", "--categorical", BlackFridayCategorical,
            "--missing-indicator", "all", "--encoding", "index,Age=onehot", "--scale", "minmax");
        var tf = Path.Combine(outDir, "tfrecords");
        var manifest = JobManifest.FromJson(File.ReadAllText(Path.Combine(tf, "_manifest.json")));
        Assert.That(manifest.Shards, Has.Count.EqualTo(6), "6 map tasks, one shard each");
        Assert.That(manifest.Records, Is.EqualTo(19280));
        Assert.That(manifest.RejectedRows, Is.Zero);

        var py = PythonVerify(tf, csv);
        Assert.That(py.GetProperty("crc_errors").GetInt32(), Is.Zero);
        Assert.That(py.GetProperty("records").GetInt32(), Is.EqualTo(19280));
        Assert.That(py.GetProperty("rows").GetInt32(), Is.EqualTo(19280));
        Assert.That(py.GetProperty("mismatches").GetInt32(), Is.Zero, py.GetProperty("first_mismatches").ToString());

        // The npm reader on two whole shards (it is slow: ~0.2 MB/s).
        var shards = manifest.Shards.Take(2).Select(s => Path.Combine(tf, s.Shard)).ToArray();
        var js = Proc.Run("node", new[] { Path.Combine(Repo.Root, "tests", "Support", "js", "read_tfrecords.js") }.Concat(shards));
        Assert.That(js.ExitCode, Is.EqualTo(0), js.Stderr);
        using var doc = JsonDocument.Parse(js.Stdout);
        Assert.That(doc.RootElement.GetProperty("crc_errors").GetInt32(), Is.Zero);
        Assert.That(doc.RootElement.GetProperty("records").GetInt64(), Is.EqualTo(manifest.Shards.Take(2).Sum(s => s.Records)));
        // Sum of the label over those shards equals the raw CSV's Purchase over the same rows.
        long expectedPurchase = File.ReadLines(csv).Skip(1).Take((int)manifest.Shards.Take(2).Sum(s => s.Records)).Sum(l => long.Parse(l.Split(',')[11]));
        Assert.That(doc.RootElement.GetProperty("sums").GetProperty("Purchase").GetDouble(), Is.EqualTo(expectedPurchase));
        Assert.That(doc.RootElement.GetProperty("first").GetProperty("Age").GetArrayLength(), Is.EqualTo(7 + 1 + 1), "one-hot: 7 ages + OOV + missing");

        // Our own reader agrees, with the whole-shard checks of the manifest.
        var set = ShardSet.Open(LocalFileSystem.Instance, tf);
        Assert.That(set.Shards.Sum(s => set.ReadShard(s).Count()), Is.EqualTo(19280));
    }

    [Test]
    public void AdultWithoutHeaderQuotedMissingAndLabelClasses()
    {
        var csv = Repo.Data("adult.data");
        var outDir = RunPipeline("adult", "--input", csv, "--header", "none", "--columns", StatsJob.AdultColumns, "--block-size", "1000000",
            "--label", "income", "--max-bad-fraction", "0.01", "--compression", "zlib");
        var tf = Path.Combine(outDir, "tfrecords");
        var manifest = JobManifest.FromJson(File.ReadAllText(Path.Combine(tf, "_manifest.json")));
        Assert.That(manifest.Shards, Has.Count.EqualTo(4));
        Assert.That(manifest.Shards.All(s => s.Shard.EndsWith(".tfrecord.zlib")));
        Assert.That(manifest.Records, Is.EqualTo(32561));
        Assert.That(manifest.RejectedRows, Is.EqualTo(1), "the empty last line, counted with its reason");
        var plan = TransformPlan.Load(Path.Combine(tf, "_transform.json"));
        Assert.That(plan.Label!.Task, Is.EqualTo(TaskKind.Binary));
        Assert.That(plan.Label.Classes, Is.EqualTo(new[] { "<=50K", ">50K" }));
        var py = PythonVerify(tf, csv);
        Assert.That(py.GetProperty("mismatches").GetInt32(), Is.Zero, py.GetProperty("first_mismatches").ToString());
        Assert.That(py.GetProperty("records").GetInt32(), Is.EqualTo(32561));
    }

    [Test]
    public void ShuffleModeIsDeterministicAndLosesNothing()
    {
        var csv = Repo.Data("seattle-weather.csv");
        string[] args = ["--input", csv, "--block-size", "12000", "--label", "weather", "--shuffle", "--seed", "7", "--reducers", "3"];
        var a = Path.Combine(RunPipeline("shuf-a", args), "tfrecords");
        var b = Path.Combine(RunPipeline("shuf-b", args), "tfrecords");
        var shards = Directory.GetFiles(a, "part-r-*.tfrecord.gz").Select(Path.GetFileName).Order().ToArray();
        Assert.That(shards, Has.Length.EqualTo(3));
        foreach (var s in shards)
            Assert.That(File.ReadAllBytes(Path.Combine(b, s!)), Is.EqualTo(File.ReadAllBytes(Path.Combine(a, s!))), s);
        // The date column is split into its parts (every value is yyyy/mm/dd): the verifier recomputes them too.
        Assert.That(TransformPlan.Load(Path.Combine(a, "_transform.json")).Features.OfType<DatePartFeature>().Select(f => f.Name),
            Is.EqualTo(new[] { "date_year", "date_month", "date_weekday", "date_day_of_year" }));
        var py = PythonVerify(a, csv, unordered: true);
        Assert.That(py.GetProperty("records").GetInt32(), Is.EqualTo(1461));
        Assert.That(py.GetProperty("mismatches").GetInt32(), Is.Zero, py.GetProperty("first_mismatches").ToString());
        // Shuffled: the first records are not the file's first rows in order.
        var set = ShardSet.Open(LocalFileSystem.Instance, a);
        Assert.That(set.Shards.Sum(s => set.ReadShard(s).Count()), Is.EqualTo(1461));
        // The rows behind the shuffled records are accounted for as without --shuffle (1,461 rows, all became examples).
        Assert.That(set.Manifest!.RowsRead, Is.EqualTo(1461), "rows_read survives the shuffle");
        Assert.That(set.Manifest.Records + set.Manifest.RejectedRows + set.Manifest.DroppedMissingLabel, Is.EqualTo(set.Manifest.RowsRead));
        Assert.That(set.Manifest.Shards.Sum(s => s.RowsRead), Is.EqualTo(1461));
    }

    [Test]
    public void AKilledMapTaskIsRetriedAndEachShardIsCommittedExactlyOnce()
    {
        var csv = Repo.Data("blackfriday_sample.csv");
        string[] common = ["--input", csv, "--block-size", "150000", "--label", "Purchase", "--categorical", BlackFridayCategorical];
        var clean = Path.Combine(RunPipeline("clean", common), "tfrecords");
        var faultyOut = Path.Combine(Repo.TempDir("killed"), "out");
        var r = Pipeline.Run(new[] { "--output", faultyOut, "-D", "streaming.local.kill.map.tasks=1,4" }.Concat(common).ToArray());
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("_m_000001_0 failed: killed"));
        Assert.That(r.Stderr, Does.Contain("_m_000004_0 failed: killed"));
        Assert.That(r.Stderr, Does.Contain("_m_000001_1 done"));
        var faulty = Path.Combine(faultyOut, "tfrecords");
        var names = Directory.GetFiles(faulty).Select(Path.GetFileName).Order().ToArray();
        Assert.That(names, Is.EqualTo(Directory.GetFiles(clean).Select(Path.GetFileName).Order().ToArray()), "no extra or missing files");
        foreach (var s in names.Where(n => n!.Contains(".tfrecord")))
            Assert.That(File.ReadAllBytes(Path.Combine(faulty, s!)), Is.EqualTo(File.ReadAllBytes(Path.Combine(clean, s!))), s);
        Assert.That(File.ReadAllText(Path.Combine(faulty, "_manifest.json")), Is.EqualTo(File.ReadAllText(Path.Combine(clean, "_manifest.json"))));
    }

    [Test]
    public void ReRunsAreIdempotent()
    {
        var csv = Repo.Data("seattle-weather.csv");
        var outDir = Path.Combine(Repo.TempDir("rerun"), "out");
        string[] args = ["--output", outDir, "--input", csv, "--label", "temp_max", "--drop", "date"];
        Assert.That(Pipeline.Run(args).ExitCode, Is.EqualTo(0));
        var manifest = File.ReadAllText(Path.Combine(outDir, "tfrecords", "_manifest.json"));
        var again = Pipeline.Run(args);
        Assert.That(again.ExitCode, Is.EqualTo(0), again.Stderr);
        Assert.That(again.Stderr, Does.Contain("is complete"));
        // A run that died after the job but before the manifest: the incomplete output is redone.
        File.Delete(Path.Combine(outDir, "tfrecords", "_manifest.json"));
        var redo = Pipeline.Run(args);
        Assert.That(redo.ExitCode, Is.EqualTo(0), redo.Stderr);
        Assert.That(redo.Stderr, Does.Contain("removing incomplete output"));
        Assert.That(File.ReadAllText(Path.Combine(outDir, "tfrecords", "_manifest.json")), Is.EqualTo(manifest));
    }

    [Test]
    public void ATrainingStepIsSkippedWhenItsShardsAndOptionsAreTheSameAndRedoneWhenNot()
    {
        var outDir = Path.Combine(Repo.TempDir("rerun-train"), "out");
        string[] Args(string train) => ["--output", outDir, "--input", Repo.Data("seattle-weather.csv"), "--label", "weather", "--drop", "date", "--train", train];
        // weights.bin carries a fingerprint unique to each save: equal bytes mean the model was not trained again.
        byte[] Weights() => File.ReadAllBytes(Path.Combine(outDir, "model", "weights.bin"));
        Assert.That(Pipeline.Run(Args("--epochs 2 --hidden 8 --seed 1")).ExitCode, Is.EqualTo(0));
        var first = Weights();
        var again = Pipeline.Run(Args("--epochs 2 --hidden 8 --seed 1"));
        Assert.That(again.ExitCode, Is.EqualTo(0), again.Stderr);
        Assert.That(again.Stderr, Does.Contain("skipping training"));
        Assert.That(Weights(), Is.EqualTo(first), "the model was left as it was");
        var other = Pipeline.Run(Args("--epochs 2 --hidden 8 --seed 2"));
        Assert.That(other.ExitCode, Is.EqualTo(0), other.Stderr);
        Assert.That(other.Stderr, Does.Contain("step 4: training"), "other trainer options: trained again");
        var second = Weights();
        Assert.That(second, Is.Not.EqualTo(first));
        var forced = Pipeline.Run([.. Args("--epochs 2 --hidden 8 --seed 2"), "--overwrite"]);
        Assert.That(forced.ExitCode, Is.EqualTo(0), forced.Stderr);
        Assert.That(Weights(), Is.Not.EqualTo(second), "--overwrite trains again");
    }
}
