using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Streaming.Storage;
using Streaming.Data;

namespace Streaming.Tests;

/// <summary>
/// The trainer's streaming input (<see cref="ShardStream"/>) on the transform job's real Black Friday shards: every
/// record exactly once per epoch, locally and over WebHDFS with faults, in the same order for the same seed, a
/// disjoint train/validation split, and the trainer's <c>--cache off</c> path with its in-epoch progress lines.
/// </summary>
public class StreamingInputTests
{
    private static (ShardSet Set, FeatureLayout Layout) Open(IFileSystem source, string dir)
    {
        var set = ShardSet.Open(source, dir);
        return (set, new FeatureLayout(set.LoadPlan()));
    }

    /// <summary>Every row id of one epoch, in order, with the labels (to check rows travel whole).</summary>
    private static (List<long> Ids, List<float> Labels) Drain(ShardStream stream, int epoch, int shuffleBuffer, int batchSize = 300)
    {
        var ids = new List<long>();
        var labels = new List<float>();
        foreach (var b in stream.Epoch(epoch, batchSize, shuffleBuffer, seed: 5))
        {
            Assert.That(b.Size, Is.GreaterThan(0).And.LessThanOrEqualTo(batchSize));
            ids.AddRange(b.Ids.AsSpan(0, b.Size).ToArray());
            labels.AddRange(b.Labels.AsSpan(0, b.Size).ToArray());
        }
        return (ids, labels);
    }

    [Test]
    public void EachEpochSeesEveryRecordExactlyOnceLocallyAndOverWebHdfsWithFaultsInTheSameOrder()
    {
        var local = Pipeline.BlackFridayShards.Value;
        var (set, layout) = Open(LocalFileSystem.Instance, local);
        Assert.That(set.Shards, Has.Count.EqualTo(6), "several shards, so the interleave and the shard permutation matter");
        var expected = set.Shards.SelectMany((s, ordinal) => Enumerable.Range(0, set.ReadShard(s).Count).Select(i => ((long)ordinal << 40) | (long)i))
            .Order().ToList();
        Assert.That(expected, Has.Count.EqualTo(19280));
        var stream = new ShardStream(set, layout, ValidationSplit.None, SplitSide.Train);
        var one = Drain(stream, epoch: 1, shuffleBuffer: 1000);
        var two = Drain(stream, epoch: 2, shuffleBuffer: 1000);
        Assert.That(one.Ids.Order().ToList(), Is.EqualTo(expected), "epoch 1: each record once");
        Assert.That(two.Ids.Order().ToList(), Is.EqualTo(expected), "epoch 2: each record once");
        Assert.That(two.Ids, Is.Not.EqualTo(one.Ids), "each epoch its own order");
        Assert.That(Drain(stream, epoch: 1, shuffleBuffer: 1000).Ids, Is.EqualTo(one.Ids), "same seed and epoch → same order");
        var unshuffled = Drain(stream, epoch: 1, shuffleBuffer: 0).Ids;
        Assert.That(unshuffled.Take(4).Select(id => id >> 40), Is.EqualTo(new long[] { 0, 1, 2, 3 }), "no shuffle: shards in name order, one row per shard per turn");
        // Rows travel whole: the label of each id is the same whichever order it came in.
        var labelOf = unshuffled.Zip(Drain(stream, 1, 0).Labels).ToDictionary(p => p.First, p => p.Second);
        Assert.That(one.Ids.Zip(one.Labels).All(p => labelOf[p.First] == p.Second), "shuffled rows keep their labels");

        using var server = new WebHdfsTestServer();
        var options = new WebHdfsOptions { NameNodes = [server.Active], User = "trainer", BackoffBase = TimeSpan.FromMilliseconds(5), ReadTimeout = TimeSpan.FromSeconds(5) };
        using (var up = new WebHdfsClient(options))
        {
            up.Mkdirs("/data/bf");
            foreach (var f in Directory.GetFiles(local).Where(f => !Path.GetFileName(f).StartsWith("part-0")))
                up.Create("/data/bf/" + Path.GetFileName(f), () => File.OpenRead(f));
        }
        server.ResetsRemaining = 4;
        server.ResetAfterBytes = 20_000;
        server.ServiceUnavailableRemaining = 2;
        using var client = new WebHdfsClient(options with { NameNodes = [server.Standby, server.Active] });
        var (remote, remoteLayout) = Open(client, "/data/bf");
        var overHttp = Drain(new ShardStream(remote, remoteLayout, ValidationSplit.None, SplitSide.Train), epoch: 1, shuffleBuffer: 1000);
        Assert.That(server.ResetsDone, Is.GreaterThanOrEqualTo(3), "connections were reset mid-body");
        Assert.That(overHttp.Ids, Is.EqualTo(one.Ids), "WebHDFS with faults: the same rows in the same order as local files");
        Assert.That(overHttp.Labels, Is.EqualTo(one.Labels));
    }

    [Test]
    public void EpochsReuseOneShuffleBufferEvenAfterOneIsLeftEarly()
    {
        // A shuffle buffer is tens of MB: one per epoch left dead on the large object heap raised peak memory by a
        // buffer or two after the first epoch (107 MB at one epoch, 247 MB at seven on 2 M rows).
        var (set, layout) = Open(LocalFileSystem.Instance, Pipeline.BlackFridayShards.Value);
        var stream = new ShardStream(set, layout, ValidationSplit.None, SplitSide.Train);
        const int Buffer = 400_000;   // larger than the data: the whole epoch is buffered, then drained
        var whole = Drain(stream, epoch: 1, shuffleBuffer: Buffer);
        foreach (var _ in stream.Epoch(1, 300, Buffer, seed: 5)) break;   // left early: the buffer keeps rows
        long total = GC.GetTotalAllocatedBytes(precise: true);
        var again = Drain(stream, epoch: 1, shuffleBuffer: Buffer);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - total;
        Assert.That(again.Ids, Is.EqualTo(whole.Ids), "a reused buffer starts empty: the same epoch, the same order");
        long bufferBytes = (long)Buffer * stream.RowBytes;
        Assert.That(allocated, Is.LessThan(bufferBytes / 2),
            $"an epoch allocated {allocated:N0} bytes; a new shuffle buffer alone is {bufferBytes:N0}");
    }

    [Test]
    public void TheValidationSplitIsDisjointAndCompleteAndMatchesTheInMemoryLoader()
    {
        var (set, layout) = Open(LocalFileSystem.Instance, Pipeline.BlackFridayShards.Value);
        var split = new ValidationSplit(0.1, 7);
        var train = Drain(new ShardStream(set, layout, split, SplitSide.Train), 1, 500).Ids;
        var validation = Drain(new ShardStream(set, layout, split, SplitSide.Validation), 1, 0).Ids;
        Assert.That(train.Intersect(validation), Is.Empty);
        Assert.That(train.Count + validation.Count, Is.EqualTo(19280));
        Assert.That(validation.Count, Is.InRange(1500, 2400), "about a tenth");
        var loaded = new ShardLoader(layout, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Load(set, 0.1, 7);
        Assert.That((loaded.Train.Count, loaded.Validation.Count), Is.EqualTo((train.Count, validation.Count)), "streamed and in-memory splits agree");
        Assert.That(loaded.Validation.Labels.ToArray().Order(), Is.EqualTo(Drain(new ShardStream(set, layout, split, SplitSide.Validation), 1, 0).Labels.Order()),
            "the same validation rows");
    }

    [Test]
    public void TrainerStreamsWithCacheOffAndPrintsProgressLinesInALog()
    {
        var dir = Repo.TempDir("stream-train");
        var r = Proc.Run(Repo.Trainer, "train", "--data", Pipeline.BlackFridayShards.Value, "--model", Path.Combine(dir, "m"), "--cache", "off", "--shuffle-buffer", "5000",
            "--epochs", "2", "--batch-size", "64", "--hidden", "64,32", "--seed", "3", "--patience", "0", "--log-every", "0.05");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("streaming the shards every epoch").And.Contain("shuffle buffer 5,000 examples"));
        Assert.That(r.Stderr, Does.Contain("first batch after"));
        // Not a terminal: whole lines, batches done of the total (unknown in epoch 1: the split is by hash), ETA h:mm:ss.
        var progress = r.Stdout.Split('\n').Where(l => Regex.IsMatch(l, @"^epoch \d/2  [\d,]+/([\d,]+|\?) batches  loss \d+\.\d{4}  [\d,]+ samples/s  elapsed \d+:\d\d:\d\d  ETA (\d+:\d\d:\d\d|\?)$")).ToList();
        Assert.That(progress, Is.Not.Empty, r.Stdout);
        Assert.That(r.Stdout, Does.Not.Contain("\r"));
        Assert.That(progress.Any(l => l.StartsWith("epoch 2/2") && !l.Contains("/? batches")), "epoch 2 knows its batch count", r.Stdout);
        double rmse = double.Parse(r.Stdout.Split('\n').First(l => l.StartsWith("validation rmse:"))["validation rmse:".Length..], CultureInfo.InvariantCulture);
        Assert.That(rmse, Is.LessThan(3500), "learns (the label's standard deviation is ~4,900)");
    }
}

/// <summary>Checkpoints: a run killed (SIGKILL) mid-epoch and resumed ends with the weights of a run never stopped.</summary>
public class CheckpointResumeTests
{
    [TestCase("on")]
    [TestCase("off")]
    public void ResumingAfterSigkillMidEpochGivesTheWeightsOfAnUninterruptedRun(string cache)
    {
        var shards = Pipeline.BlackFridayShards.Value;
        var dir = Repo.TempDir("resume-" + cache);
        string[] common = ["train", "--data", shards, "--cache", cache, "--epochs", "3", "--batch-size", "64", "--hidden", "32,16", "--dropout", "0.1",
            "--seed", "4", "--patience", "0", "--threads", "1", "--checkpoint-every", "0.001"];
        var whole = Proc.Run(Repo.Trainer, common.Concat(["--model", Path.Combine(dir, "whole")]));
        Assert.That(whole.ExitCode, Is.EqualTo(0), whole.Stderr);
        Assert.That(File.Exists(Path.Combine(dir, "whole.checkpoint")), Is.False, "a finished run leaves no checkpoint");

        var killed = Path.Combine(dir, "killed");
        var psi = new System.Diagnostics.ProcessStartInfo(Repo.Trainer) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in common.Concat(["--model", killed])) psi.ArgumentList.Add(a);
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            p.OutputDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            string? line;
            // Kill it right after a checkpoint taken inside epoch 2 (not at an epoch boundary).
            while ((line = p.StandardError.ReadLine()) is not null && !Regex.IsMatch(line, @"checkpoint: epoch 2, batch [1-9]")) { }
            Assert.That(line, Is.Not.Null, "the run printed a mid-epoch checkpoint");
            p.Kill();   // SIGKILL
            p.WaitForExit();
        }
        Assert.That(File.Exists(killed + ".checkpoint"), "the checkpoint survived the kill");
        Assert.That(File.Exists(Path.Combine(killed, "model.json")), Is.False, "no model from the killed run");
        var foreign = Proc.Run(Repo.Trainer, common.Concat(["--model", killed, "--resume", "--lr", "0.01"]));
        Assert.That(foreign.ExitCode, Is.EqualTo(2), "another run's checkpoint is never resumed");
        Assert.That(foreign.Stderr, Does.Contain("belongs to another run"));
        var resumed = Proc.Run(Repo.Trainer, common.Concat(["--model", killed, "--resume"]));
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.Stderr);
        Assert.That(resumed.Stderr, Does.Match(@"resuming from .*: epoch 2, after batch [1-9]"));
        // weights.bin: magic (8 bytes), the save's fingerprint (8 bytes, unique per save), then the tensors.
        Assert.That(File.ReadAllBytes(Path.Combine(killed, "weights.bin"))[16..], Is.EqualTo(File.ReadAllBytes(Path.Combine(dir, "whole", "weights.bin"))[16..]),
            "resumed = uninterrupted, bit for bit");
        var history = JsonDocument.Parse(File.ReadAllText(Path.Combine(killed, "metrics.json"))).RootElement;
        Assert.That(history.GetProperty("epochs").GetArrayLength(), Is.EqualTo(3), "the history spans the stop");
        Assert.That(history.GetProperty("best_epoch").GetInt32(), Is.InRange(1, 3));
        Assert.That(File.Exists(killed + ".checkpoint"), Is.False, "the completed run removed its checkpoint");
    }
}
