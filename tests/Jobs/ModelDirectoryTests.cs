namespace Streaming.Tests;

/// <summary>A model directory is written whole or not at all, is checked when read, and never replaces foreign data.</summary>
public class ModelDirectoryTests
{
    private static readonly Lazy<string> Shards = new(() =>
    {
        var outDir = Path.Combine(Repo.TempDir("modeldir"), "out");
        var r = Pipeline.Run("--output", outDir, "--input", Repo.Data("seattle-weather.csv"), "--label", "weather", "--drop", "date", "--scale", "zscore");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        return Path.Combine(outDir, "tfrecords");
    });

    private static ProcResult Train(string model, int seed) =>
        Proc.Run(Repo.Trainer, "train", "--data", Shards.Value, "--model", model, "--epochs", "2", "--hidden", "8", "--seed", seed.ToString());

    [Test]
    public void WeightsOfAnotherSaveAreRefusedNotSilentlyUsed()
    {
        var dir = Repo.TempDir("mix");
        string a = Path.Combine(dir, "a"), b = Path.Combine(dir, "b");
        Assert.That(Train(a, 1).ExitCode, Is.EqualTo(0));
        Assert.That(Train(b, 2).ExitCode, Is.EqualTo(0));
        File.Copy(Path.Combine(b, "weights.bin"), Path.Combine(a, "weights.bin"), overwrite: true);
        var p = Proc.Run(Repo.Trainer, "predict", "--model", a, "--input", Repo.Data("seattle-weather.csv"));
        Assert.That(p.ExitCode, Is.EqualTo(2), p.Stderr);
        Assert.That(p.Stderr, Does.Contain("belongs to another model"));
        Assert.That(p.Stdout, Is.Empty);
    }

    [Test]
    public void ARetrainReplacesTheDirectoryWholeAndLeavesNothingBeside()
    {
        var dir = Repo.TempDir("replace");
        var model = Path.Combine(dir, "model");
        Assert.That(Train(model, 1).ExitCode, Is.EqualTo(0));
        File.WriteAllText(Path.Combine(model, "stale.txt"), "from an older save");
        var first = File.ReadAllBytes(Path.Combine(model, "weights.bin"));
        var r = Train(model, 5);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(File.ReadAllBytes(Path.Combine(model, "weights.bin")), Is.Not.EqualTo(first));
        Assert.That(File.Exists(Path.Combine(model, "stale.txt")), Is.False, "the directory was replaced, not written into");
        Assert.That(Directory.GetFileSystemEntries(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "model" }), "no staging or old copy left");
        Assert.That(Proc.Run(Repo.Trainer, "predict", "--model", model, "--input", Repo.Data("seattle-weather.csv")).ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void AnUnwritableOrForeignModelDirectoryFailsBeforeTraining()
    {
        var dir = Repo.TempDir("foreign");
        var precious = Path.Combine(dir, "precious");
        Directory.CreateDirectory(precious);
        File.WriteAllText(Path.Combine(precious, "notes.txt"), "mine");
        var r = Train(precious, 1);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("not a model directory"));
        Assert.That(r.Stdout, Does.Not.Contain("epoch"), "failed before training");
        Assert.That(File.ReadAllText(Path.Combine(precious, "notes.txt")), Is.EqualTo("mine"));

        var underAFile = Path.Combine(precious, "notes.txt", "model");
        var u = Train(underAFile, 1);
        Assert.That(u.ExitCode, Is.EqualTo(2), u.Stderr);
        Assert.That(u.Stderr, Does.Contain("cannot write there"));
        Assert.That(u.Stdout, Does.Not.Contain("epoch"));
    }

    [Test]
    public void ATruncatedOrEmptyModelJsonIsOneErrorLineAndExit2()
    {
        var model = Path.Combine(Repo.TempDir("trunc"), "model");
        Assert.That(Train(model, 1).ExitCode, Is.EqualTo(0));
        var json = Path.Combine(model, "model.json");
        var text = File.ReadAllText(json);
        foreach (var content in new[] { text[..(text.Length / 2)], "" })
        {
            File.WriteAllText(json, content);
            foreach (var args in new[] { new[] { "predict", "--model", model, "--input", Repo.Data("seattle-weather.csv") }, ["evaluate", "--model", model, "--data", Shards.Value] })
            {
                var r = Proc.Run(Repo.Trainer, args);
                Assert.That(r.ExitCode, Is.EqualTo(2), $"{args[0]}: {r.Stderr}");
                Assert.That(r.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1), r.Stderr);
                Assert.That(r.Stderr, Does.Contain("model.json"));
            }
        }
    }
}
