using System.Diagnostics;

namespace Streaming.Tests;

/// <summary>
/// The trainer as YARN, cron and a terminal stop it: SIGTERM or SIGINT ends the current batch, writes a checkpoint,
/// says where it stopped and exits 143 or 130, and --resume goes on from there; nothing a killed or failed save or
/// checkpoint left behind survives the next run.
/// </summary>
public class TrainerStopTests
{
    private static string Shards => Pipeline.BlackFridayShards.Value;

    [TestCase("TERM", 143)]
    [TestCase("INT", 130)]
    public void ASignalStopsAtABatchWithACheckpointAndResumeGoesOn(string signal, int code)
    {
        var model = Path.Combine(Repo.TempDir("stop"), "m");
        string[] args = ["train", "--data", Shards, "--model", model, "--epochs", "2", "--batch-size", "16", "--hidden", "32", "--threads", "1", "--seed", "3"];
        var psi = new ProcessStartInfo(Repo.Trainer) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = new System.Text.StringBuilder();
        var started = new ManualResetEventSlim();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (e.Data.Contains("first batch after")) started.Set();
        };
        p.BeginErrorReadLine();
        var stdout = p.StandardOutput.ReadToEndAsync();
        Assert.That(started.Wait(TimeSpan.FromSeconds(120)), "training started");
        Process.Start("kill", ["-" + signal, p.Id.ToString()])!.WaitForExit();
        Assert.That(p.WaitForExit(60_000), "stopped within a batch");
        p.WaitForExit();
        stdout.Wait();
        string log;
        lock (stderr) log = stderr.ToString();
        Assert.That(p.ExitCode, Is.EqualTo(code), log);
        Assert.That(log, Does.Match($@"SIG{signal}: interrupted at epoch 1 batch [\d,]+; checkpoint .*m\.checkpoint: resume with --resume"));
        Assert.That(File.Exists(model + ".checkpoint"), "the checkpoint was written");
        Assert.That(Directory.Exists(model), Is.False, "no model: training did not finish");

        var resumed = Proc.Run(Repo.Trainer, [.. args, "--resume"]);
        Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.Stderr);
        Assert.That(resumed.Stderr, Does.Contain("resuming from"));
        Assert.That(File.Exists(Path.Combine(model, "model.json")));
        Assert.That(File.Exists(model + ".checkpoint"), Is.False, "a finished run leaves no checkpoint");
    }

    /// <summary>Leftovers of dead processes beside the model (staging, replaced model, half checkpoint) are removed; a live process's are not.</summary>
    [Test]
    public void WhatKilledRunsLeftIsRemovedByTheNextRun()
    {
        var dir = Repo.TempDir("stale");
        var model = Path.Combine(dir, "m");
        const int dead = 4_000_000;   // above Linux's pid_max: no such process
        Directory.CreateDirectory(Path.Combine(dir, $".m.staging-{dead}"));
        Directory.CreateDirectory(Path.Combine(dir, $".m.old-{dead}"));
        File.WriteAllText(Path.Combine(dir, $".m.old-{dead}", "weights.bin"), "an old model");
        File.WriteAllBytes(Path.Combine(dir, $".m.checkpoint.tmp-{dead}"), new byte[6 << 20]);
        Directory.CreateDirectory(Path.Combine(dir, ".m.old-1"));   // pid 1 is alive: maybe writing it now
        File.WriteAllText(Path.Combine(dir, "unrelated.txt"), "not ours");
        var r = Proc.Run(Repo.Trainer, "train", "--data", Shards, "--model", model, "--epochs", "1", "--hidden", "8");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(),
            Is.EqualTo(new[] { ".m.old-1", "m", "unrelated.txt" }));
        Assert.That(r.Stderr, Does.Contain($".m.staging-{dead}, left by an earlier save that did not finish"));
        Assert.That(r.Stderr, Does.Contain($".m.checkpoint.tmp-{dead}, left by an earlier checkpoint that did not finish"));
    }
}
