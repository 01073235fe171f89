using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Storage;
using Streaming.Data;

namespace Streaming.Tests;

/// <summary>
/// The Trainer on the transform job's real output: read over WebHDFS (with faults) exactly once, deterministic for a
/// seed, and accurate on the Adult census data's separate test file.
/// </summary>
public class TrainerTests
{
    private static void Upload(WebHdfsClient client, string localDir, string remoteDir)
    {
        client.Mkdirs(remoteDir);
        foreach (var f in Directory.GetFiles(localDir).Where(f => !Path.GetFileName(f).StartsWith("part-0")))
            client.Create(remoteDir + "/" + Path.GetFileName(f), () => File.OpenRead(f));
    }

    [Test]
    public void EveryRecordIsSeenExactlyOnceOverWebHdfsWithAndWithoutFaults()
    {
        var local = Pipeline.BlackFridayShards.Value;
        using var server = new WebHdfsTestServer();
        var options = new WebHdfsOptions { NameNodes = [server.Active], User = "trainer", BackoffBase = TimeSpan.FromMilliseconds(5), ReadTimeout = TimeSpan.FromSeconds(5) };
        using (var up = new WebHdfsClient(options)) Upload(up, local, "/data/bf");
        var layout = new FeatureLayout(ShardSet.Open(LocalFileSystem.Instance, local).LoadPlan());
        var expected = new ShardLoader(layout, NullLogger.Instance).Load(ShardSet.Open(LocalFileSystem.Instance, local), 0, 1).Train;
        Assert.That(expected.Count, Is.EqualTo(19280));

        foreach (var faults in new[] { false, true })
        {
            if (faults)
            {
                server.ResetsRemaining = 4;
                server.ResetAfterBytes = 20_000;
                server.ServiceUnavailableRemaining = 2;
                server.DataNodeChunkDelayMs = 1;
            }
            // The standby NameNode is listed first, as after a failover.
            using var client = new WebHdfsClient(options with { NameNodes = [server.Standby, server.Active] });
            var set = ShardSet.Open(client, "/data/bf");
            Assert.That(set.Shards, Has.Count.EqualTo(6));
            var got = new ShardLoader(layout, NullLogger.Instance).Load(set, 0, 1).Train;
            Assert.That(got.Count, Is.EqualTo(expected.Count), $"faults={faults}");
            Assert.That(got.Ids.ToArray(), Is.EqualTo(Enumerable.Range(0, expected.Count).Select(i => (long)i).ToArray()), "each record once, in order");
            Assert.That(got.Labels.ToArray(), Is.EqualTo(expected.Labels.ToArray()), $"faults={faults}: same records as the local read");
            if (faults)
            {
                Assert.That(server.ResetsDone, Is.GreaterThanOrEqualTo(3), "connections were reset mid-body");
                Assert.That(client.Resumes, Is.EqualTo(server.ResetsDone), "each drop resumed at the reached offset");
                Assert.That(client.Retries, Is.GreaterThanOrEqualTo(2), "503s retried");
            }
        }
    }

    [Test]
    public void TrainsFromWebHdfsAsFromLocalFilesAndTheSameSeedGivesTheSameModel()
    {
        var local = Pipeline.BlackFridayShards.Value;
        using var server = new WebHdfsTestServer();
        using (var up = new WebHdfsClient(new WebHdfsOptions { NameNodes = [server.Active], User = "u" })) Upload(up, local, "/user/u/bf");
        server.ResetsRemaining = 3;
        server.ResetAfterBytes = 30_000;
        var dir = Repo.TempDir("train");
        string[] common = ["--epochs", "3", "--batch-size", "256", "--hidden", "64,32", "--seed", "7", "--patience", "0", "--deterministic"];
        var a = Proc.Run(Repo.Trainer, new[] { "train", "--data", $"webhdfs://{server.Standby},{server.Active}/user/u/bf", "--model", Path.Combine(dir, "a") }.Concat(common));
        Assert.That(a.ExitCode, Is.EqualTo(0), a.Stderr);
        Assert.That(a.Stdout, Does.Contain("epoch 3/3").And.Contain("samples/s").And.Contain("ETA").And.Contain("validation rmse:"));
        Assert.That(a.Stderr, Does.Contain("resuming"), "the drops happened and were survived");
        var b = Proc.Run(Repo.Trainer, new[] { "train", "--data", local, "--model", Path.Combine(dir, "b"), "--threads", "1" }.Concat(common));
        Assert.That(b.ExitCode, Is.EqualTo(0), b.Stderr);
        // weights.bin: magic (8 bytes), the save's fingerprint (8 bytes, unique per save), then the tensors.
        Assert.That(File.ReadAllBytes(Path.Combine(dir, "b", "weights.bin"))[16..], Is.EqualTo(File.ReadAllBytes(Path.Combine(dir, "a", "weights.bin"))[16..]),
            "same data and seed → identical weights (WebHDFS with faults vs local, 2 threads vs 1)");
        double rmse = double.Parse(a.Stdout.Split('\n').First(l => l.StartsWith("validation rmse:"))["validation rmse:".Length..], CultureInfo.InvariantCulture);
        Assert.That(rmse, Is.LessThan(3500), "well under the label's standard deviation (~4,900)");
        foreach (var f in new[] { "model.json", "weights.bin", "metrics.json", "training-curve.svg" })
            Assert.That(File.Exists(Path.Combine(dir, "a", f)), f);
        var chart = File.ReadAllText(Path.Combine(dir, "a", "training-curve.svg"));
        var best = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "a", "metrics.json"))).RootElement.GetProperty("best_epoch").GetInt32();
        // Both losses in one unit above, the monitored metric below, the kept epoch marked (rendered: CurvePlotTests).
        Assert.That(chart, Does.Contain("<svg").And.Contain("polyline").And.Contain(">epoch<").And.Contain(">loss (MSE, std. units)<")
            .And.Contain(">validation loss<").And.Contain(">val. RMSE<").And.Contain($"kept: epoch {best}"));
    }

    [Test]
    public void MulticlassWeatherTrainsAndPredictsClassNames()
    {
        var outDir = Path.Combine(Repo.TempDir("weather"), "out");
        var r = Pipeline.Run("--output", outDir, "--input", Repo.Data("seattle-weather.csv"), "--label", "weather", "--drop", "date",
            "--scale", "zscore", "--train", "--epochs 30 --batch-size 64 --hidden 32,16 --lr 0.01 --seed 2 --patience 5");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var model = Path.Combine(outDir, "model");
        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "model.json")));
        Assert.That(meta.RootElement.GetProperty("spec").GetProperty("task").GetString(), Is.EqualTo("multiclass"));
        Assert.That(meta.RootElement.GetProperty("spec").GetProperty("outputs").GetInt32(), Is.EqualTo(5));
        // The majority class ("rain" or "sun") is ~44 %; weather follows from precipitation and temperatures.
        double accuracy = meta.RootElement.GetProperty("metrics").GetProperty("accuracy").GetDouble();
        Assert.That(accuracy, Is.GreaterThan(0.6), "validation accuracy");
        var p = Proc.Run(Repo.Trainer, "predict", "--model", model, "--input", Repo.Data("seattle-weather.csv"));
        Assert.That(p.ExitCode, Is.EqualTo(0), p.Stderr);
        var predicted = p.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(predicted, Has.Length.EqualTo(1461));
        Assert.That(predicted.Distinct(), Is.SubsetOf(new[] { "drizzle", "fog", "rain", "snow", "sun" }));
    }

    [Test]
    public void AdultReachesTheTargetAccuracyOnItsSeparateTestFile()
    {
        var outDir = Path.Combine(Repo.TempDir("adult-train"), "out");
        var r = Pipeline.Run("--output", outDir, "--input", Repo.Data("adult.data"), "--header", "none", "--columns", StatsJob.AdultColumns,
            "--block-size", "1000000", "--label", "income", "--label-alias", ">50K.:>50K,<=50K.:<=50K", "--scale", "zscore",
            "--train", "--seed 1");   // the trainer's defaults
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var test = Path.Combine(outDir, "test-tfrecords");
        var t = Pipeline.Script("to-tfrecords.sh", "--input", Repo.Data("adult.test"), "--output", test,
            "--plan", Path.Combine(outDir, "tfrecords", "_transform.json"), "--block-size", "1000000");
        Assert.That(t.ExitCode, Is.EqualTo(0), t.Stderr);
        var model = Path.Combine(outDir, "model");
        var e = Proc.Run(Repo.Trainer, "evaluate", "--model", model, "--data", test);
        Assert.That(e.ExitCode, Is.EqualTo(0), e.Stderr);
        using var metrics = JsonDocument.Parse(e.Stdout);
        var m = metrics.RootElement;
        TestContext.Out.WriteLine($"adult.test: {e.Stdout}");
        Assert.That(m.GetProperty("count").GetInt32(), Is.EqualTo(16281));
        // HistGradientBoosting with its defaults: 0.8716 / 0.9271 on this split (scripts/bench-quality.sh).
        Assert.That(m.GetProperty("accuracy").GetDouble(), Is.GreaterThanOrEqualTo(0.865));
        Assert.That(m.GetProperty("auc").GetDouble(), Is.GreaterThanOrEqualTo(0.922));

        // predict on the raw CSV applies the same plan: its probabilities give the same accuracy.
        var p = Proc.Run(Repo.Trainer, "predict", "--model", model, "--input", Repo.Data("adult.test"));
        Assert.That(p.ExitCode, Is.EqualTo(0), p.Stderr);
        var lines = p.Stdout.Split('\n')[..^1];
        var raw = File.ReadAllLines(Repo.Data("adult.test"));
        Assert.That(lines, Has.Length.EqualTo(raw.Length), "one line per input row");
        Assert.That(lines[0], Is.EqualTo("rejected:FieldCount"), "the banner line is rejected, not scored, and marked");
        int correct = 0, scored = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            if (lines[i].StartsWith("rejected:")) continue;
            scored++;
            bool positive = raw[i].TrimEnd('.').EndsWith(">50K");
            if ((double.Parse(lines[i], CultureInfo.InvariantCulture) >= 0.5) == positive) correct++;
        }
        Assert.That(scored, Is.EqualTo(16281));
        Assert.That((double)correct / scored, Is.EqualTo(m.GetProperty("accuracy").GetDouble()).Within(1e-4));
    }
}
