using System.Globalization;
using System.Text.Json;

namespace Streaming.Tests;

/// <summary>
/// The TorchSharp trainer around its model: the libtorch-free scorer and the map-side scoring job agree with it on
/// every row, PyTorch loads its checkpoint, a CPU build refuses CUDA up front, and the build's libtorch patch.
/// </summary>
public class TorchTrainerTests
{
    private static readonly Lazy<string> BlackFridayModel = new(() =>
    {
        var outDir = Path.Combine(Repo.TempDir("torch-bf"), "out");
        var r = Pipeline.Run("--output", outDir, "--input", Repo.Data("blackfriday_sample.csv"), "--block-size", "150000", "--label", "Purchase",
            "--categorical", "User_ID,Product_ID,Occupation,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3",
            "--train", "--epochs 3 --batch-size 256 --hidden 64,32 --seed 3 --patience 0");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("libtorch 2.10"), "the log names the device and libtorch");
        return outDir;
    });

    private static readonly Lazy<string> AdultModel = new(() =>
    {
        var outDir = Path.Combine(Repo.TempDir("torch-adult"), "out");
        var r = Pipeline.Run("--output", outDir, "--input", Repo.Data("adult.data"), "--header", "none", "--columns", StatsJob.AdultColumns,
            "--block-size", "1000000", "--label", "income", "--label-alias", ">50K.:>50K,<=50K.:<=50K", "--scale", "zscore",
            "--train", "--epochs 2 --batch-size 256 --hidden 32,16 --seed 1");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        return outDir;
    });

    private static string[] Predict(string model, string csv, params string[] extra)
    {
        var p = Proc.Run(Repo.Trainer, new[] { "predict", "--model", model, "--input", csv }.Concat(extra));
        Assert.That(p.ExitCode, Is.EqualTo(0), p.Stderr);
        return p.Stdout.Split('\n')[..^1];
    }

    private static void AssertClose(string[] native, string[] torch, double tolerance)
    {
        Assert.That(native, Has.Length.EqualTo(torch.Length));
        int scored = 0;
        for (int i = 0; i < native.Length; i++)
        {
            Assert.That(native[i].StartsWith("rejected:"), Is.EqualTo(torch[i].StartsWith("rejected:")), $"row {i}: rejected by one engine only");
            if (native[i].StartsWith("rejected:")) continue;
            double a = double.Parse(native[i], CultureInfo.InvariantCulture), b = double.Parse(torch[i], CultureInfo.InvariantCulture);
            Assert.That(Math.Abs(a - b) / Math.Max(1, Math.Abs(b)), Is.LessThanOrEqualTo(tolerance), $"row {i}: {a} vs {b}");
            scored++;
        }
        Assert.That(scored, Is.GreaterThan(native.Length * 9 / 10));
    }

    [Test]
    public void TheLibtorchFreeScorerEqualsTheTorchSharpModelOnEveryRow()
    {
        var adult = Path.Combine(AdultModel.Value, "model");
        // The network under test has every kind of input: numbers, their piecewise-linear bins, embeddings (twins too).
        using (var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(adult, "model.json"))))
        {
            var spec = meta.RootElement.GetProperty("spec");
            Assert.That(spec.GetProperty("piecewise").GetArrayLength(), Is.EqualTo(5), "age, fnlwgt, capital-gain, capital-loss, hours-per-week");
            Assert.That(spec.GetProperty("embeddings").EnumerateArray().Select(e => e.GetProperty("feature").GetString()), Does.Contain("age_category"));
        }
        var native = Predict(adult, Repo.Data("adult.test"));
        Assert.That(native.Count(l => !l.StartsWith("rejected:")), Is.EqualTo(16281));
        AssertClose(native, Predict(adult, Repo.Data("adult.test"), "--engine", "libtorch", "--device", "cpu"), 1e-5);

        var bf = Path.Combine(BlackFridayModel.Value, "model");
        var bfNative = Predict(bf, Repo.Data("blackfriday_sample.csv"));
        Assert.That(bfNative.Count(l => !l.StartsWith("rejected:")), Is.EqualTo(19280));
        // Regression values are printed in the label's units (thousands): compared relative to their size.
        AssertClose(bfNative, Predict(bf, Repo.Data("blackfriday_sample.csv"), "--engine", "libtorch"), 1e-5);
    }

    [Test]
    public void MapperPredictOnFourMapTasksGivesTheTrainersPredictions()
    {
        var model = Path.Combine(BlackFridayModel.Value, "model");
        var output = Path.Combine(Repo.TempDir("score"), "scored");
        var input = Repo.Data("blackfriday_sample.csv");
        var s = Pipeline.Script("score.sh", "--input", input, "--output", output, "--model", model, "--block-size", "200000");
        Assert.That(s.ExitCode, Is.EqualTo(0), s.Stderr);
        var parts = Directory.GetFiles(output, "part-*").Order(StringComparer.Ordinal).ToArray();
        Assert.That(parts, Has.Length.GreaterThanOrEqualTo(4), "several map tasks");
        var lines = parts.SelectMany(File.ReadAllLines).ToArray();
        var expected = Predict(model, input);
        Assert.That(lines.Select(l => l.Split('\t')[3]), Is.EqualTo(expected), "same predictions, same order");
        Assert.That(lines.Select(l => l.Split('\t')[0]).Distinct(), Is.EqualTo(new[] { "file:" + input }));
        // Each key is the split's start and the row's index in it: unique, and in input order within each part.
        var keys = lines.Select(l => l.Split('\t')[1..3].Select(long.Parse).ToArray()).ToArray();
        Assert.That(keys[0], Is.EqualTo(new long[] { 0, 0 }));
        Assert.That(keys.Select(k => k[0]).Distinct().Count(), Is.EqualTo(parts.Length));
        Assert.That(keys.Zip(keys.Skip(1)).All(p => p.First[0] == p.Second[0] ? p.Second[1] == p.First[1] + 1 : p.Second[0] > p.First[0] && p.Second[1] == 0));
    }

    [Test]
    public void PyTorchLoadsTheStateDictWithTheReadmeModuleAndPredictsTheSame()
    {
        foreach (var run in new[] { BlackFridayModel.Value, AdultModel.Value })
        {
            var model = Path.Combine(run, "model");
            var shards = Path.Combine(run, "tfrecords");
            var expected = Path.Combine(Repo.TempDir("rt"), "predictions.txt");
            var p = Proc.Run(Repo.Trainer, "predict", "--model", model, "--data", shards, "--engine", "libtorch", "--output", expected);
            Assert.That(p.ExitCode, Is.EqualTo(0), p.Stderr);
            var py = Proc.Python("torch_roundtrip.py", "--pb", Pipeline.PythonProtos.Value, "--readme", Path.Combine(Repo.Root, "README.md"),
                "--model", model, "--data", shards, "--expected", expected);
            Assert.That(py.ExitCode, Is.EqualTo(0), py.Stderr);
            TestContext.Out.WriteLine(py.Stdout);
            using var r = JsonDocument.Parse(py.Stdout);
            Assert.That(r.RootElement.GetProperty("rows").GetInt32(), Is.EqualTo(r.RootElement.GetProperty("expected_rows").GetInt32()).And.GreaterThan(19000));
            Assert.That(r.RootElement.GetProperty("max_rel_diff").GetDouble(), Is.LessThanOrEqualTo(1e-5), run);
        }
    }

    /// <summary>
    /// <c>trainer export --format onnx</c>: ONNX's checker (python3-onnx, full shape inference) accepts the file, and ONNX
    /// Runtime fed each record's features by name — as the shards hold them — gives what <c>trainer predict</c> gives,
    /// on every record of adult.test and of the Black Friday sample.
    /// </summary>
    [Test]
    public void OnnxRuntimeScoresTheExportedModelAsTrainerPredictDoes()
    {
        foreach (var (run, csv) in new[] { (AdultModel.Value, Repo.Data("adult.test")), (BlackFridayModel.Value, Repo.Data("blackfriday_sample.csv")) })
        {
            var model = Path.Combine(run, "model");
            var dir = Repo.TempDir("onnx");
            var onnx = Path.Combine(dir, "model.onnx");
            var export = Proc.Run(Repo.Trainer, "export", "--model", model, "--format", "onnx", "-o", onnx);
            Assert.That(export.ExitCode, Is.EqualTo(0), export.Stderr);
            var check = Proc.Run(Repo.Python, "-c", "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); "
                + "print(m.ir_version, m.opset_import[0].version, ' '.join(n.op_type for n in m.graph.node))", onnx);
            Assert.That(check.ExitCode, Is.EqualTo(0), check.Stderr);
            TestContext.Out.WriteLine(check.Stdout);
            Assert.That(check.Stdout, Does.StartWith("8 13 ").And.Contain("Gather").And.Contain("Gemm"));
            if (run == AdultModel.Value) Assert.That(check.Stdout, Does.Contain("Sub Mul Clip"), "Adult's numbers are binned");

            // One map task: one shard, records in the file's order; trainer predict --data scores them in that order.
            var shards = Path.Combine(dir, "shards");
            var t = Pipeline.Script("to-tfrecords.sh", "--input", csv, "--output", shards, "--plan", Path.Combine(run, "tfrecords", "_transform.json"),
                "--block-size", "100000000");
            Assert.That(t.ExitCode, Is.EqualTo(0), t.Stderr);
            var expected = Path.Combine(dir, "expected.txt");
            var p = Proc.Run(Repo.Trainer, "predict", "--model", model, "--data", shards, "--output", expected);
            Assert.That(p.ExitCode, Is.EqualTo(0), p.Stderr);
            var want = File.ReadAllLines(expected).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();

            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
            var set = Streaming.Storage.ShardSet.Open(Streaming.Storage.LocalFileSystem.Instance, shards);
            Assert.That(set.Shards, Has.Count.EqualTo(1));
            var records = set.ReadShard(set.Shards[0]).Select(r => Streaming.TfRecord.Proto.Example.Parser.ParseFrom(r)).ToList();
            Assert.That(records, Has.Count.EqualTo(want.Length));
            int n = records.Count;
            var inputs = new List<Microsoft.ML.OnnxRuntime.NamedOnnxValue>();
            foreach (var input in session.InputMetadata)
            {
                int width = input.Value.Dimensions[1];
                var feature = records.Select(e => e.Features.Feature[input.Key]).ToList();
                if (input.Value.ElementType == typeof(long))
                    inputs.Add(Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(input.Key,
                        new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(feature.SelectMany(f => f.Int64List.Value).ToArray(), new[] { n, width })));
                else
                    inputs.Add(Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(input.Key,
                        new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(feature.SelectMany(f => f.FloatList.Value).ToArray(), new[] { n, width })));
            }
            using var results = session.Run(inputs);
            var got = results.Single().AsEnumerable<float>().ToArray();
            Assert.That(got, Has.Length.EqualTo(n));
            double worst = 0;
            for (int i = 0; i < n; i++) worst = Math.Max(worst, Math.Abs(got[i] - want[i]) / Math.Max(1, Math.Abs(want[i])));
            TestContext.Out.WriteLine($"{Path.GetFileName(csv)}: {n} records, largest relative difference {worst:G3}");
            Assert.That(worst, Is.LessThanOrEqualTo(1e-5));
        }
    }

    [Test]
    public void ACpuBuildAskedForCudaExitsTwoBeforeAnyWork()
    {
        var dir = Path.Combine(Repo.TempDir("cuda"), "model");
        var r = Proc.Run(Repo.Trainer, "train", "--data", Path.Combine(BlackFridayModel.Value, "tfrecords"), "--model", dir, "--device", "cuda");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(r.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(r.Stderr, Does.Contain("carries a CPU libtorch").And.Contain("--libtorch").And.Contain("publish.sh --torch cuda"));
        Assert.That(r.Stderr, Does.Not.Contain("loaded"), "no data was read");
        var bad = Proc.Run(Repo.Trainer, "train", "--data", Path.Combine(BlackFridayModel.Value, "tfrecords"), "--model", dir, "--device", "gpu");
        Assert.That(bad.ExitCode, Is.EqualTo(2));
        Assert.That(bad.Stderr, Does.Contain("--device must be auto, cpu, cuda or cuda:N"));
    }

    [Test]
    public void TheBuildMarksOnlyTheGlibcxx332RequirementWeakInItsOwnCopy()
    {
        var built = Path.Combine(Path.GetDirectoryName(Repo.Trainer)!, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        var r = Proc.Run("/usr/bin/readelf", "-V", built);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var versions = r.Stdout.Split('\n').Where(l => l.Contains("Name: GLIBCXX_") || l.Contains("Name: CXXABI_")).ToArray();
        Assert.That(versions.Single(l => l.Contains("GLIBCXX_3.4.32")), Does.Contain("Flags: WEAK"));
        Assert.That(versions.Where(l => !l.Contains("GLIBCXX_3.4.32")), Has.All.Contains("Flags: none"), "nothing else touched");
        var cache = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (File.Exists(cache))
            Assert.That(Proc.Run("/usr/bin/readelf", "-V", cache).Stdout, Does.Match("GLIBCXX_3.4.32 +Flags: none"), "the NuGet cache is never patched");
    }
}
