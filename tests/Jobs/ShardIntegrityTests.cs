using System.Text.Json;
using System.Text.Json.Nodes;
using Streaming.Storage;
using Streaming.Transform;

namespace Streaming.Tests;

/// <summary>
/// Shards know the plan that wrote them, and a shard directory must prove it is whole: the trainer refuses a shard of
/// another plan (even with the manifest's size, CRC and count made to match) and a directory without
/// <c>_manifest.json</c> (unless asked), reading locally and over WebHDFS alike; corrupt data is exit 1, not 3.
/// </summary>
[TestFixture("local")]
[TestFixture("webhdfs")]
public class ShardIntegrityTests(string where)
{
    /// <summary>The weather data through the local pipeline with extra options: its tfrecords directory (4+ shards).</summary>
    private static string Shards(params string[] options)
    {
        var outDir = Path.Combine(Repo.TempDir("integrity"), "out");
        var r = Pipeline.Run(["--output", outDir, "--input", Repo.Data("seattle-weather.csv"), "--block-size", "15000", "--label", "weather", "--drop", "date", .. options]);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var dir = Path.Combine(outDir, "tfrecords");
        Assert.That(Directory.GetFiles(dir, "part-*.tfrecord.gz"), Has.Length.GreaterThanOrEqualTo(4));
        return dir;
    }

    private static readonly Lazy<string> PlanA = new(() => Shards());
    private static readonly Lazy<string> PlanB = new(() => Shards("--scale", "zscore"));

    private static string Copy(string dir)
    {
        var copy = Path.Combine(Repo.TempDir("integrity-copy"), "tfrecords");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(dir)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        return copy;
    }

    private WebHdfsTestServer? _server;

    [TearDown]
    public void StopServer() => _server?.Dispose();

    /// <summary>The directory where the trainer reads it: as it is, or uploaded to the WebHDFS test server.</summary>
    private string Location(string dir)
    {
        if (where == "local") return dir;
        _server = new WebHdfsTestServer();
        using var up = new WebHdfsClient(new WebHdfsOptions { NameNodes = [_server.Active], User = "etl" });
        up.Mkdirs("/data/tf");
        foreach (var f in Directory.GetFiles(dir)) up.Create("/data/tf/" + Path.GetFileName(f), () => File.OpenRead(f));
        return $"webhdfs://{_server.Active}/data/tf";
    }

    private static ProcResult Trainer(params string[] args) => Proc.Run(Repo.Trainer, args);

    [Test]
    public void EveryShardAndTheManifestCarryTheHashOfThePlanThatWroteThem()
    {
        var dir = PlanA.Value;
        var hash = TransformPlan.Load(Path.Combine(dir, "_transform.json")).Hash();
        Assert.That(hash, Does.Match("^sha256:[0-9a-f]{64}$"));
        var manifest = JobManifest.FromJson(File.ReadAllText(Path.Combine(dir, "_manifest.json")));
        Assert.That(manifest.PlanHash, Is.EqualTo(hash));
        Assert.That(manifest.Shards.Select(s => s.PlanHash), Is.All.EqualTo(hash));
        Assert.That(TransformPlan.Load(Path.Combine(PlanB.Value, "_transform.json")).Hash(), Is.Not.EqualTo(hash), "another plan, another hash");
        var r = Trainer("read", "--data", Location(dir));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
    }

    /// <summary>
    /// A shard of another plan (other --scale) in place of one of ours, with the manifest's size, CRC and record count
    /// updated to match: refused, naming the shard and both hashes.
    /// </summary>
    [Test]
    public void AShardOfAnotherPlanIsRefusedEvenWithAMatchingManifest()
    {
        var dir = Copy(PlanA.Value);
        var foreign = JobManifest.FromJson(File.ReadAllText(Path.Combine(PlanB.Value, "_manifest.json")));
        var manifestPath = Path.Combine(dir, "_manifest.json");
        var doc = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        var shard = doc["shards"]!.AsArray()[1]!;
        string name = shard["shard"]!.GetValue<string>();
        var theirs = foreign.Shards.Single(s => s.Shard == name);
        File.Copy(Path.Combine(PlanB.Value, name), Path.Combine(dir, name), overwrite: true);
        // The forger copies the other manifest's record of that shard: size, CRC, counts (and what else it carries).
        doc["shards"]!.AsArray()[1] = JsonNode.Parse(JsonSerializer.Serialize(theirs, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull }));
        doc["records"] = doc["shards"]!.AsArray().Sum(s => s!["records"]!.GetValue<long>());
        File.WriteAllText(manifestPath, doc.ToJsonString());
        var ours = TransformPlan.Load(Path.Combine(dir, "_transform.json")).Hash();
        var location = Location(dir);
        foreach (var command in new[] { new[] { "read", "--data", location },
                     ["train", "--data", location, "--model", Path.Combine(Repo.TempDir("integrity-model"), "m"), "--epochs", "1"] })
        {
            var r = Trainer(command);
            Assert.That(r.ExitCode, Is.EqualTo(1), command[0] + ": " + r.Stderr);
            Assert.That(r.Stderr, Does.Contain(name).And.Contain(theirs.PlanHash!).And.Contain(ours), command[0]);
        }
    }

    /// <summary>A directory without _manifest.json (here one shard deleted too): refused unless asked, then read with a warning.</summary>
    [Test]
    public void ADirectoryWithoutItsManifestIsRefusedUnlessAllowed()
    {
        var dir = Copy(PlanA.Value);
        File.Delete(Path.Combine(dir, "_manifest.json"));
        var shards = Directory.GetFiles(dir, "part-*.tfrecord.gz").Order().ToList();
        File.Delete(shards[0]);
        var location = Location(dir);
        var r = Trainer("read", "--data", location);
        Assert.That(r.ExitCode, Is.EqualTo(1), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("no _manifest.json: the transform job did not finish, or the directory was assembled by hand"));
        var model = Path.Combine(Repo.TempDir("integrity-model"), "m");
        var train = Trainer("train", "--data", location, "--model", model, "--epochs", "1");
        Assert.That(train.ExitCode, Is.EqualTo(1), train.Stderr);
        Assert.That(Directory.Exists(model), Is.False, "nothing trained on an unchecked directory");

        var allowed = Trainer("read", "--data", location, "--allow-missing-manifest");
        Assert.That(allowed.ExitCode, Is.EqualTo(0), allowed.Stderr);
        Assert.That(allowed.Stderr, Does.Contain($"no _manifest.json: reading the {shards.Count - 1} shard(s) found"));
    }

    /// <summary>Corrupt data is exit 1 (the README's "the data broke a limit, corrupt input"), not 3 (I/O after retries).</summary>
    [Test]
    public void ACorruptShardIsExit1()
    {
        var dir = Copy(PlanA.Value);
        var shard = Directory.GetFiles(dir, "part-*.tfrecord.gz").Order().Last();
        var bytes = File.ReadAllBytes(shard);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(shard, bytes);
        var r = Trainer("read", "--data", Location(dir));
        Assert.That(r.ExitCode, Is.EqualTo(1), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("corrupt TFRecord shard " + Path.GetFileName(shard)));
    }
}

/// <summary>A transform job that writes nothing has failed, and says why in words the user used.</summary>
public class EmptyTransformTests
{
    [Test]
    public void AJobWhoseEveryRowWasDroppedExits1AndSaysWhy()
    {
        var dir = Repo.TempDir("empty-transform");
        var stats = StatsJob.Run(Repo.Data("seattle-weather.csv"), "--columns date,precipitation,temp_max,temp_min,wind,weather", 100_000);
        var plan = Path.Combine(dir, "_transform.json");
        var p = Proc.Run(Repo.Mapper, "plan", "--stats", stats.OutputDir, "--label", "weather", "--drop", "date", "--label-missing", "drop", "-o", plan);
        Assert.That(p.ExitCode, Is.EqualTo(0), p.Stderr);
        // The same rows, every label missing.
        var input = Path.Combine(dir, "unlabelled.csv");
        File.WriteAllLines(input, File.ReadLines(Repo.Data("seattle-weather.csv")).Select((l, i) => i == 0 ? l : l[..(l.LastIndexOf(',') + 1)]));
        var r = Pipeline.Script("to-tfrecords.sh", "--input", input, "--output", Path.Combine(dir, "tfrecords"), "--plan", plan);
        Assert.That(r.ExitCode, Is.EqualTo(1), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("0 records written: every row was dropped (missing label; 1,461 of 1,461 rows)"));
        Assert.That(File.Exists(Path.Combine(dir, "tfrecords", "_manifest.json")), Is.False, "no manifest: the output is not complete");
    }

    /// <summary>A label whose every value is missing cannot be a class label; the message names no option the user did not pass.</summary>
    [Test]
    public void AnInferredTaskIsNotBlamedOnAnOptionNobodyPassed()
    {
        var dir = Repo.TempDir("empty-label");
        var input = Path.Combine(dir, "unlabelled.csv");
        File.WriteAllLines(input, File.ReadLines(Repo.Data("seattle-weather.csv")).Select((l, i) => i == 0 ? l : l[..(l.LastIndexOf(',') + 1)]));
        var stats = StatsJob.Run(input, "--columns date,precipitation,temp_max,temp_min,wind,weather", 100_000);
        var r = Proc.Run(Repo.Mapper, "plan", "--stats", stats.OutputDir, "--label", "weather", "--label-missing", "drop", "-o", Path.Combine(dir, "p.json"));
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(r.Stderr, Does.Not.Contain("--task binary"));
        Assert.That(r.Stderr, Does.Contain("label 'weather' has 0 distinct values and 1461 missing"));
    }
}
