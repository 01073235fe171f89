namespace Streaming.Tests;

/// <summary>
/// The trainer on a libtorch it does not carry (<c>--libtorch DIR</c>, what a GPU node's PyTorch provides): the
/// bundled CPU libtorch copied to another folder, and the trainer without libtorch (as the -nolibtorch archive holds
/// it) elsewhere, train exactly as the bundled trainer does, mapping only DIR's libraries; a libtorch of another
/// version (Debian's PyTorch 1.13), a folder that is no libtorch, and a trainer with no libtorch at all are one line
/// and exit 2, before any data is read.
/// </summary>
public class LibTorchTests
{
    private static string NativeDir => Path.Combine(Path.GetDirectoryName(Repo.Trainer)!, "runtimes", "linux-x64", "native");

    /// <summary>The bundled libtorch's libraries (and its build-version) copied to a folder of their own.</summary>
    private static readonly Lazy<string> CopiedLibTorch = new(() =>
    {
        var dir = Path.Combine(Repo.TempDir("libtorch-copy"), "lib");
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(NativeDir).Where(f => Path.GetFileName(f) != "libLibTorchSharp.so"))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    });

    /// <summary>This build's trainer without libtorch (what scripts/publish.sh puts in trainer-linux-x64-nolibtorch.tgz), in a folder of its own.</summary>
    private static readonly Lazy<string> TrainerWithoutLibTorch = new(() =>
    {
        var src = Path.GetDirectoryName(Repo.Trainer)!;
        var dst = Repo.TempDir("trainer-nolibtorch");
        foreach (var f in Directory.GetFiles(src, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(src, f);
            if (Path.GetDirectoryName(f) == NativeDir && Path.GetFileName(f) != "libLibTorchSharp.so") continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dst, rel))!);
            File.Copy(f, Path.Combine(dst, rel));
        }
        return Path.Combine(dst, "trainer");
    });

    private static string Shards => Pipeline.BlackFridayShards.Value;

    private static string[] Train(string model) => ["train", "--data", Shards, "--model", model, "--epochs", "2", "--hidden", "16", "--seed", "5", "--threads", "1"];

    private static string Metrics(string model)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "metrics.json")));
        return doc.RootElement.GetProperty("final_validation").GetRawText()
            + string.Join(",", doc.RootElement.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("train_loss").GetDouble().ToString("R")));
    }

    [Test]
    public void ACopiedLibTorchTrainsTheTrainerWithoutOneAsTheBundledOne()
    {
        var bundled = Path.Combine(Repo.TempDir("lt-bundled"), "m");
        var b = Proc.Run(Repo.Trainer, Train(bundled));
        Assert.That(b.ExitCode, Is.EqualTo(0), b.Stderr);

        var external = Path.Combine(Repo.TempDir("lt-external"), "m");
        var e = Proc.Run(TrainerWithoutLibTorch.Value, [.. Train(external), "--libtorch", CopiedLibTorch.Value], null,
            new Dictionary<string, string> { ["STREAMING_LOG_LEVEL"] = "Debug" });
        Assert.That(e.ExitCode, Is.EqualTo(0), e.Stderr);
        Assert.That(Metrics(external), Is.EqualTo(Metrics(bundled)), "the same training on the same libtorch, from elsewhere");
        Assert.That(e.Stderr, Does.Contain($"using libtorch 2.10.0+cpu from {CopiedLibTorch.Value}"));
        var mapped = e.Stderr.Split('\n').Single(l => l.Contains("libtorch mapped:"));
        Assert.That(mapped, Does.Contain(CopiedLibTorch.Value + "/libtorch_cpu.so").And.Not.Contain(NativeDir), "one libtorch in the process: DIR's");

        // Also from the environment (cron, hadoop-jobs), and from an unpacked archive's root (DIR/lib).
        var env = Proc.Run(TrainerWithoutLibTorch.Value, [.. Train(Path.Combine(Repo.TempDir("lt-env"), "m"))], null,
            new Dictionary<string, string> { ["STREAMING_LIBTORCH"] = Path.GetDirectoryName(CopiedLibTorch.Value)! });
        Assert.That(env.ExitCode, Is.EqualTo(0), env.Stderr);
    }

    [Test]
    public void AnotherLibTorchVersionIsExit2WithTheVersionLineBeforeAnyData()
    {
        var torchLib = Path.Combine(Proc.Run(Repo.Python, "-c", "import torch, os; print(os.path.dirname(torch.__file__))").Stdout.Trim(), "lib");
        Assert.That(File.Exists(Path.Combine(torchLib, "libtorch_cpu.so")), $"Debian's python3-torch at {torchLib}");
        var r = Proc.Run(TrainerWithoutLibTorch.Value, [.. Train(Path.Combine(Repo.TempDir("lt-debian"), "m")), "--libtorch", torchLib]);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(r.Stderr, Does.Contain($"--libtorch {torchLib}: libtorch 1.13.0a0 (from {Path.GetFullPath(Path.Combine(torchLib, "..", "version.py"))}); this trainer needs libtorch 2.10.x"));
        Assert.That(r.Stderr, Does.Not.Contain("loaded"), "before any data is read");
    }

    [Test]
    public void AFolderWithoutLibTorchOrATrainerWithoutOneIsExit2NamingWhatIsMissing()
    {
        var empty = Repo.TempDir("lt-empty");
        File.Copy(Path.Combine(NativeDir, "libc10.so"), Path.Combine(empty, "libc10.so"));
        var r = Proc.Run(TrainerWithoutLibTorch.Value, [.. Train(Path.Combine(Repo.TempDir("lt-none"), "m")), "--libtorch", empty]);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(r.Stderr, Does.Contain($"--libtorch {empty}: not a libtorch: libtorch_cpu.so, libtorch.so missing"));

        var none = Proc.Run(TrainerWithoutLibTorch.Value, Train(Path.Combine(Repo.TempDir("lt-none2"), "m")));
        Assert.That(none.ExitCode, Is.EqualTo(2), none.Stderr);
        Assert.That(none.Stderr, Does.Contain("this trainer carries no libtorch (the -nolibtorch archive): pass --libtorch DIR"));

        var both = Proc.Run(Repo.Trainer, [.. Train(Path.Combine(Repo.TempDir("lt-both"), "m")), "--libtorch", CopiedLibTorch.Value]);
        Assert.That(both.ExitCode, Is.EqualTo(2), both.Stderr);
        Assert.That(both.Stderr, Does.Contain("this trainer carries its own libtorch"));

        var noGpu = Proc.Run(TrainerWithoutLibTorch.Value, [.. Train(Path.Combine(Repo.TempDir("lt-cuda"), "m")), "--libtorch", CopiedLibTorch.Value, "--device", "cuda"]);
        Assert.That(noGpu.ExitCode, Is.EqualTo(2), noGpu.Stderr);
        Assert.That(noGpu.Stderr, Does.Contain("no CUDA device is visible"));
    }
}
