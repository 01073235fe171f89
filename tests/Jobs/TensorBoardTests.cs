using System.Diagnostics;
using System.Text.Json;

namespace Streaming.Tests;

/// <summary>
/// The trainer writes TensorBoard's event file while it trains: an independent reader (Python's protobuf runtime on
/// protoc-compiled event.proto, CRC-32C from the crc32c module) finds the first epoch's scalars while the second is
/// still running, every CRC right, and at the end the epoch scalars equal metrics.json.
/// </summary>
public class TensorBoardTests
{
    private static JsonElement Read(string file)
    {
        var r = Proc.Run(Repo.Python, [Path.Combine(Repo.Root, "tests", "Support", "python", "read_tfevents.py"), "--pb", Pipeline.PythonProtos.Value, file]);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    [Test]
    public void EventsAreWrittenLiveAndEqualTheMetrics()
    {
        var model = Path.Combine(Repo.TempDir("tensorboard"), "m");
        var logdir = model + ".tensorboard";
        var psi = new ProcessStartInfo(Repo.Trainer) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "train", "--data", Pipeline.BlackFridayShards.Value, "--model", model, "--epochs", "3", "--batch-size", "64",
                     "--hidden", "16", "--seed", "2", "--threads", "1", "--patience", "0" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        JsonElement? live = null;
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null)
            if (line.StartsWith("epoch 1/3") && live is null)
                live = Read(Directory.GetFiles(logdir, "events.out.tfevents.*").Single());   // the second epoch is running
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), stderr.Result);
        Assert.That(live, Is.Not.Null, "an epoch line was printed");
        Assert.That(live!.Value.GetProperty("scalars").GetProperty("epoch/train_loss").GetArrayLength(), Is.EqualTo(1), "epoch 1's scalars, read while training went on");

        Assert.That(Directory.Exists(logdir), Is.False, "the default log directory goes once its file is in the model directory");
        var file = Directory.GetFiles(model, "events.out.tfevents.*").Single();
        Assert.That(Path.GetFileName(file), Does.Match(@"^events\.out\.tfevents\.\d{10}\." + System.Text.RegularExpressions.Regex.Escape(Environment.MachineName) + "$"));
        var events = Read(file);
        Assert.That(events.GetProperty("file_version").GetString(), Is.EqualTo("brain.Event:2"));
        Assert.That(events.GetProperty("crc_errors").GetInt32(), Is.EqualTo(0));
        var scalars = events.GetProperty("scalars");
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "metrics.json")));
        var epochs = metrics.RootElement.GetProperty("epochs").EnumerateArray().ToList();
        Assert.That(epochs, Has.Count.EqualTo(3));
        foreach (var (tag, key) in new[] { ("epoch/train_loss", "train_loss"), ("epoch/val_rmse", "val_rmse"), ("epoch/val_r2", "val_r2") })
        {
            var points = scalars.GetProperty(tag).EnumerateArray().Select(e => e[1].GetDouble()).ToList();
            var expected = epochs.Select(e => (double)(float)e.GetProperty(key).GetDouble()).ToList();
            Assert.That(points, Is.EqualTo(expected).Within(1e-6).Percent, tag);
        }
        var steps = scalars.GetProperty("epoch/epoch").EnumerateArray().Select(e => (e[0].GetInt64(), e[1].GetDouble())).ToList();
        Assert.That(steps.Select(s => s.Item2), Is.EqualTo(new[] { 1.0, 2.0, 3.0 }));
        Assert.That(steps.Select(s => s.Item1), Is.Ordered.Ascending.And.All.GreaterThan(0), "the global step (optimizer steps)");
        var batches = scalars.GetProperty("batch/train_loss").EnumerateArray().Select(e => e[0].GetInt64()).ToList();
        Assert.That(batches, Has.Count.GreaterThanOrEqualTo(6), "the running loss every 100 batches");
        Assert.That(batches, Is.Ordered.Ascending);
    }
}
