using System.Text.RegularExpressions;
namespace Streaming.Tests;

/// <summary>
/// The hadoop-jobs scripts in cluster mode against stand-ins of both FsShell generations (tests/Support/fakes: Hadoop 2.7's
/// `hdfs dfs`, which has no `-ls -C`, and 3.x's), with `hadoop jar` running our local runner: they complete, re-run
/// by fingerprint, and never touch a directory they did not write.
/// </summary>
[TestFixture("2.7.2")]
[TestFixture("3.3.6")]
public class ClusterScriptsTests(string version)
{
    private string _root = "";

    [SetUp]
    public void Cluster()
    {
        _root = Repo.TempDir("hdfs-" + version);
        Directory.CreateDirectory(Path.Combine(_root, "apps"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "apps", "bin"), Pipeline.BinDir);
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        File.Copy(Repo.Data("seattle-weather.csv"), Path.Combine(_root, "data", "weather.csv"));
    }

    private ProcResult Script(string script, params string[] args) => ScriptWithFailing(script, null, args);

    private ProcResult ScriptWithFailing(string script, string? failing, params string[] args) => ScriptWith(script, failing, null, args);

    private ProcResult ScriptWith(string script, string? failing, string? dieAfterJob, params string[] args) =>
        Proc.Run("/bin/bash", new[] { Path.Combine(Repo.Root, "hadoop-jobs", script) }.Concat(args), null, new Dictionary<string, string>
        {
            ["FAKE_HDFS_FAIL"] = failing ?? "", ["FAKE_HADOOP_DIE_AFTER_JOB"] = dieAfterJob ?? "",
            ["PATH"] = Path.Combine(Repo.Root, "tests", "Support", "fakes") + ":/usr/bin:/bin",
            ["FAKE_HDFS_ROOT"] = _root, ["FAKE_HADOOP_VERSION"] = version,
            ["HADOOP_STREAMING_JAR"] = "/opt/hadoop/share/hadoop/tools/lib/hadoop-streaming.jar",
            ["STREAMING_ARCHIVE_URI"] = "hdfs:///apps/bin", ["STREAMING_TOOLS"] = Pipeline.BinDir,
            ["STREAMING_LOCAL_RUNNER"] = Repo.Runner, ["STREAMING_TRAINER"] = Repo.Trainer,
        });

    private string[] Pipeline_(params string[] extra) =>
        new[] { "--input", "hdfs:///data/weather.csv", "--output", "hdfs://nn:8020/out/w", "--label", "weather", "--drop", "date" }.Concat(extra).ToArray();

    [Test]
    public void ThePipelineCompletesAndReRunsByFingerprint()
    {
        var first = Script("pipeline.sh", Pipeline_());
        Assert.That(first.ExitCode, Is.EqualTo(0), first.Stderr);
        var manifest = Path.Combine(_root, "out", "w", "tfrecords", "_manifest.json");
        Assert.That(File.ReadAllText(manifest), Does.Contain("\"records\": 1461"));
        // Written through FsShell, the manifest and every shard name the plan beside them.
        var planHash = Streaming.Transform.TransformPlan.Load(Path.Combine(_root, "out", "w", "tfrecords", "_transform.json")).Hash();
        var written = Streaming.Storage.JobManifest.FromJson(File.ReadAllText(manifest));
        Assert.That(written.PlanHash, Is.EqualTo(planHash));
        Assert.That(written.Shards.Select(s => s.PlanHash), Is.All.EqualTo(planHash));
        Assert.That(File.ReadAllText(Path.Combine(_root, ".calls")), Does.Not.Contain("-skipTrash"));

        var again = Script("pipeline.sh", Pipeline_());
        Assert.That(again.ExitCode, Is.EqualTo(0), again.Stderr);
        Assert.That(again.Stderr, Does.Contain("is complete (fingerprint"));

        var changed = Script("pipeline.sh", Pipeline_("--scale", "zscore"));
        Assert.That(changed.ExitCode, Is.EqualTo(2), changed.Stderr + changed.Stdout);
        Assert.That(changed.Stderr, Does.Contain("made from other input or options"));

        var redo = Script("pipeline.sh", Pipeline_("--scale", "zscore", "--overwrite"));
        Assert.That(redo.ExitCode, Is.EqualTo(0), redo.Stderr);
        Assert.That(File.ReadAllText(Path.Combine(_root, "out", "w", "tfrecords", "_transform.json")), Does.Contain("\"zscore\""));
        Assert.That(Directory.Exists(Path.Combine(_root, "user")), Is.True, "the replaced output went to the trash, not gone");
    }

    /// <summary>
    /// The pipeline SIGKILLed between a job's _SUCCESS and its step mark (after the statistics job, after the transform
    /// job): the output is still recognisably ours (the pending mark written before submission), so the same command
    /// redoes it and ends with what an uninterrupted run writes; other options need --overwrite; no mark is left.
    /// </summary>
    [TestCase(1, "stats")]
    [TestCase(2, "tfrecords")]
    public void ARunKilledBetweenAJobsSuccessAndItsStepMarkIsRedoneByTheNextRun(int job, string step)
    {
        var killed = ScriptWith("pipeline.sh", null, job.ToString(), Pipeline_());
        Assert.That(killed.ExitCode, Is.EqualTo(137), "killed by SIGKILL: " + killed.Stderr);
        var dir = Path.Combine(_root, "out", "w", step);
        Assert.That(File.Exists(Path.Combine(dir, "_SUCCESS")) && !File.Exists(Path.Combine(dir, "_STREAMING_STEP")),
            "killed in the window: the job's output is complete, the step mark not written");

        // Other options of that step (the statistics' reducers, the transform's scaling): not redone without --overwrite.
        var changed = Script("pipeline.sh", step == "stats" ? Pipeline_("--reducers", "3") : Pipeline_("--scale", "zscore"));
        Assert.That(changed.ExitCode, Is.EqualTo(2), changed.Stderr);
        Assert.That(changed.Stderr, Does.Contain("was started by an earlier run with other input or options that did not finish"));

        var again = Script("pipeline.sh", Pipeline_());
        Assert.That(again.ExitCode, Is.EqualTo(0), again.Stderr);
        Assert.That(again.Stderr, Does.Contain($"{step}: started by an earlier run of these scripts that did not finish"));

        var reference = Script("pipeline.sh", Pipeline_("--output", "hdfs://nn:8020/out/ref"));
        Assert.That(reference.ExitCode, Is.EqualTo(0), reference.Stderr);
        foreach (var sub in new[] { "stats", "tfrecords" })
        {
            var got = Path.Combine(_root, "out", "w", sub);
            var want = Path.Combine(_root, "out", "ref", sub);
            var names = Directory.GetFiles(want).Select(Path.GetFileName).Order().ToList();
            Assert.That(Directory.GetFiles(got).Select(Path.GetFileName).Order(), Is.EqualTo(names), sub);
            foreach (var n in names.Where(n => n != "_STREAMING_STEP"))
                Assert.That(File.ReadAllBytes(Path.Combine(got, n!)), Is.EqualTo(File.ReadAllBytes(Path.Combine(want, n!))), $"{sub}/{n}");
        }
        Assert.That(Directory.GetFiles(Path.Combine(_root, "out"), "*_STREAMING_PENDING", SearchOption.AllDirectories), Is.Empty, "no pending mark left");

        // Killed again in the same window, then replaced with other options: --overwrite takes it.
        File.Delete(Path.Combine(_root, ".jobs"));
        var redo = ScriptWith("pipeline.sh", null, job.ToString(), Pipeline_("--output", "hdfs://nn:8020/out/k"));
        Assert.That(redo.ExitCode, Is.EqualTo(137), redo.Stderr);
        var over = Script("pipeline.sh", Pipeline_("--output", "hdfs://nn:8020/out/k", "--scale", "zscore", "--overwrite"));
        Assert.That(over.ExitCode, Is.EqualTo(0), over.Stderr);
        Assert.That(File.ReadAllText(Path.Combine(_root, "out", "k", "tfrecords", "_transform.json")), Does.Contain("\"zscore\""));
    }

    /// <summary>A small weather model trained locally (the scoring jobs' model), shared by the scoring tests.</summary>
    private static readonly Lazy<string> WeatherModel = new(() =>
    {
        var local = Path.Combine(Repo.TempDir("score-model"), "out");
        var train = Pipeline.Run("--output", local, "--input", Repo.Data("seattle-weather.csv"), "--label", "weather", "--drop", "date",
            "--train", "--epochs 2 --hidden 8 --seed 1");
        Assert.That(train.ExitCode, Is.EqualTo(0), train.Stderr);
        return local;
    });

    /// <summary>The three-file directory (BOM, no final line end, gzip) scored on the cluster: every row once, by file and position.</summary>
    [Test]
    public void ScoringADirectoryOnTheClusterNamesEveryRowByFileAndPosition()
    {
        var local = WeatherModel.Value;
        ScoringDirectory.Write(Path.Combine(_root, "data", "dir"));
        var r = Script("score.sh", "--input", "hdfs:///data/dir", "--output", "/out/dirscores", "--model", Path.Combine(local, "model"),
            "--block-size", "8000", "--id-columns", "date", "--keep-input");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        ScoringDirectory.Verify(Path.Combine(_root, "out", "dirscores"), "file:" + Path.Combine(_root, "data", "dir"), Path.Combine(local, "model"), minParts: 6);
    }

    [Test]
    public void BatchScoringRunsOnTheClusterAndMatchesTheTrainer()
    {
        var local = WeatherModel.Value;
        var model = Path.Combine(local, "model");
        var r = Script("score.sh", "--input", "hdfs:///data/weather.csv", "--output", "/out/scores", "--model", model);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var lines = Directory.GetFiles(Path.Combine(_root, "out", "scores"), "part-*").Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines).ToArray();
        var expected = Proc.Run(Repo.Trainer, "predict", "--model", model, "--input", Repo.Data("seattle-weather.csv"));
        Assert.That(lines.Select(l => l.Split('\t')[3]), Is.EqualTo(expected.Stdout.Split('\n')[..^1]));
        Assert.That(lines.Select(l => l.Split('\t')[0]).Distinct(), Is.EqualTo(new[] { "file:" + Path.Combine(_root, "data", "weather.csv") }), "each line names its input file");
        Assert.That(File.ReadAllText(Path.Combine(_root, "out", "scores", "_schema.json")), Does.Contain("\"prediction\""));
        var again = Script("score.sh", "--input", "hdfs:///data/weather.csv", "--output", "/out/scores", "--model", model);
        Assert.That(again.ExitCode, Is.EqualTo(0), again.Stderr);
        Assert.That(again.Stderr, Does.Contain("is complete (fingerprint"));
    }

    [Test]
    public void AFailingFileSystemCommandIsExit3NotTheClientsCode()
    {
        var r = ScriptWithFailing("column-stats.sh", "-put", "--input", "/data/weather.csv", "--output", "/out/s");
        Assert.That(r.ExitCode, Is.EqualTo(3), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("a file-system or client command failed (exit 255"));
    }

    /// <summary>
    /// Every way a script can end is one of README's exit codes (0 ok, 1 job failed, 2 usage/configuration, 3 I/O):
    /// the literal exits in the scripts, and each script run into a bad option, a failing file-system command
    /// (FsShell's 255) at each step that uses one, a missing input, and a failing job.
    /// </summary>
    [Test]
    public void EveryScriptEndsWithADocumentedExitCode()
    {
        var scripts = Directory.GetFiles(Path.Combine(Repo.Root, "hadoop-jobs"), "*.sh");
        foreach (var f in scripts)
        {
            var text = File.ReadAllText(f);
            foreach (Match m in Regex.Matches(text, @"\bexit\s+(\d+)"))
                Assert.That(int.Parse(m.Groups[1].Value), Is.InRange(0, 3), $"{Path.GetFileName(f)}: {m.Value}");
            if (Path.GetFileName(f) is not ("lib.sh" or "common-args.sh"))
                Assert.That(text, Does.Contain("lib.sh"), $"{Path.GetFileName(f)} sources lib.sh (its ERR trap maps other codes to 3)");
        }
        var runs = new List<(string Script, string? Failing, string[] Args)>();
        foreach (var fail in new string?[] { null, "-ls", "-test", "-cat", "-put", "-rm", "-mkdir", "-text", "-stat" })
        {
            runs.Add(("column-stats.sh", fail, ["--input", "/data/weather.csv", "--output", "/out/s-" + fail]));
            runs.Add(("pipeline.sh", fail, Pipeline_("--output", "hdfs://nn:8020/out/p-" + fail)));
        }
        runs.Add(("pipeline.sh", null, ["--bogus"]));
        runs.Add(("to-tfrecords.sh", null, ["--input", "/data/weather.csv", "--output", "/out/t", "--plan", "/nonexistent/_transform.json"]));
        runs.Add(("column-stats.sh", null, ["--input", "/data/missing.csv", "--output", "/out/m", "--columns", "a,b"]));
        runs.Add(("score.sh", null, ["--input", "/data/weather.csv", "--output", "/out/sc", "--model", "/nonexistent"]));
        var codes = new Dictionary<int, int>();
        foreach (var (script, failing, args) in runs)
        {
            var r = ScriptWithFailing(script, failing, args);
            Assert.That(r.ExitCode, Is.InRange(0, 3), $"{script} {string.Join(' ', args)} (failing {failing ?? "nothing"}): {r.Stderr}");
            codes[r.ExitCode] = codes.GetValueOrDefault(r.ExitCode) + 1;
        }
        Assert.That(codes.Keys, Is.SupersetOf(new[] { 0, 1, 2, 3 }), "the runs reach every documented code: " + string.Join(", ", codes));
    }

    [Test]
    public void AForeignOutputDirectoryIsNeverTouched()
    {
        var precious = Path.Combine(_root, "out", "precious");
        Directory.CreateDirectory(precious);
        File.WriteAllText(Path.Combine(precious, "notes.txt"), "mine");
        foreach (var overwrite in new[] { false, true })
        {
            var r = Script("column-stats.sh", new[] { "--input", "/data/weather.csv", "--output", "hdfs:///out/precious" }.Concat(overwrite ? ["--overwrite"] : Array.Empty<string>()).ToArray());
            Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
            Assert.That(r.Stderr, Does.Contain("was not written by these scripts"));
        }
        Assert.That(File.ReadAllText(Path.Combine(precious, "notes.txt")), Is.EqualTo("mine"));
        Assert.That(File.ReadAllText(Path.Combine(_root, ".calls")), Does.Not.Contain("-rm").And.Not.Contain("hadoop jar"));
    }

    [Test]
    public void AFailedRunsLeftoverIsRedoneAndAnEmptyDirectoryIsReused()
    {
        var first = Script("column-stats.sh", "--input", "/data/weather.csv", "--output", "/out/s");
        Assert.That(first.ExitCode, Is.EqualTo(0), first.Stderr);
        File.Delete(Path.Combine(_root, "out", "s", "_SUCCESS"));   // as if the run died before the job finished
        var redo = Script("column-stats.sh", "--input", "/data/weather.csv", "--output", "/out/s");
        Assert.That(redo.ExitCode, Is.EqualTo(0), redo.Stderr);
        Assert.That(redo.Stderr, Does.Contain("removing incomplete output of an earlier run"));
        Directory.CreateDirectory(Path.Combine(_root, "out", "empty", "_temporary"));
        var empty = Script("column-stats.sh", "--input", "/data/weather.csv", "--output", "/out/empty");
        Assert.That(empty.ExitCode, Is.EqualTo(0), empty.Stderr);
        Assert.That(File.Exists(Path.Combine(_root, "out", "empty", "_SUCCESS")));
    }

    /// <summary>
    /// The README's cluster example (hadoop-jobs/README.md "## Example", taken from the file), with --dry-run on a
    /// machine with no Hadoop client: its output, replayed on the (fake) cluster, reads the header, runs both jobs and
    /// writes the plan and the manifest.
    /// </summary>
    [Test]
    public void TheReadmeClusterExampleDryRunReplays()
    {
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "hadoop-jobs", "README.md"));
        var example = readme[readme.IndexOf("## Example", StringComparison.Ordinal)..];
        example = example[(example.IndexOf("```bash\n", StringComparison.Ordinal) + 8)..];
        example = example[..example.IndexOf("```", StringComparison.Ordinal)].Replace("\\\n", " ").Trim();
        Assert.That(example, Does.StartWith("hadoop-jobs/pipeline.sh "));
        var args = Regex.Split(example["hadoop-jobs/pipeline.sh ".Length..], @"\s+");
        var input = args[Array.IndexOf(args, "--input") + 1];
        var output = args[Array.IndexOf(args, "--output") + 1];
        Directory.CreateDirectory(Path.Combine(_root, input.Trim('/')));
        File.Copy(Repo.Data("blackfriday_sample.csv"), Path.Combine(_root, input.Trim('/'), "part-1.csv"));
        var dry = DryRun(args);
        Assert.That(dry.ExitCode, Is.EqualTo(0), dry.Stderr);
        Assert.That(dry.Stdout, Does.StartWith("COLUMNS=$("), "the header is read when the commands are replayed");
        var (replay, work, _) = Replay(dry.Stdout, "replay-readme");
        Assert.That(replay.ExitCode, Is.EqualTo(0), replay.Stderr + replay.Stdout);
        var manifest = JobManifestFile(Path.Combine(_root, output.Trim('/'), "tfrecords"));
        Assert.That(manifest, Does.Contain("\"rows_read\": 19280"));
        Assert.That(File.ReadAllText(Path.Combine(work, "_transform.json")), Does.Contain("\"User_ID\"").And.Contain("\"Purchase\""));
    }

    private static string JobManifestFile(string dir) => File.ReadAllText(Path.Combine(dir, "_manifest.json"));

    /// <summary>pipeline.sh --dry-run with no Hadoop client on PATH.</summary>
    private static ProcResult DryRun(IEnumerable<string> args) =>
        Proc.Run("/bin/bash", [Path.Combine(Repo.Root, "hadoop-jobs", "pipeline.sh"), .. args, "--dry-run"],
            null, new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["STREAMING_ARCHIVE_URI"] = "hdfs:///apps/bin", ["STREAMING_TOOLS"] = Pipeline.BinDir });

    /// <summary>Runs a dry run's output as a script in a directory of its own, on the fake cluster, with a Hadoop 3-style
    /// versioned jar under HADOOP_HOME; returns the result and the directory.</summary>
    private (ProcResult Result, string Work, string Home) Replay(string printed, string name)
    {
        var work = Repo.TempDir(name + "-" + version);
        var home = Path.Combine(work, "hadoop");
        Directory.CreateDirectory(Path.Combine(home, "share", "hadoop", "tools", "lib"));
        File.WriteAllText(Path.Combine(home, "share", "hadoop", "tools", "lib", $"hadoop-streaming-{version}.jar"), "");
        File.WriteAllText(Path.Combine(work, "replay.sh"), "set -euo pipefail\n" + printed);
        var r = Proc.Run("/bin/bash", [Path.Combine(work, "replay.sh")], null, new Dictionary<string, string>
        {
            ["PATH"] = Path.Combine(Repo.Root, "tests", "Support", "fakes") + ":/usr/bin:/bin", ["HADOOP_HOME"] = home,
            ["FAKE_HDFS_ROOT"] = _root, ["FAKE_HADOOP_VERSION"] = version, ["STREAMING_LOCAL_RUNNER"] = Repo.Runner,
        }, cwd: work);
        return (r, work, home);
    }


    /// <summary>
    /// --dry-run on a machine with no Hadoop client prints commands that, replayed as they are on a (fake) cluster,
    /// do the whole job: both streaming jobs (the versioned jar found at replay time), the plan and the manifest steps.
    /// </summary>
    [Test]
    public void DryRunNeedsNoHadoopAndItsOutputReplays()
    {
        var dry = DryRun(Pipeline_("--columns", "date,precipitation,temp_max,temp_min,wind,weather", "--reducers", "2"));
        Assert.That(dry.ExitCode, Is.EqualTo(0), dry.Stderr);
        Assert.That(dry.Stdout, Does.Not.Match(@"/tmp/tmp\.").And.Not.Contain("hadoop-streaming.jar "), "no mktemp files (gone when the script exits), no unversioned jar name");
        Assert.That(dry.Stdout, Does.Contain("hadoop jar \"$(ls "));
        Assert.That(File.Exists(Path.Combine(_root, ".calls")), Is.False, "nothing ran");

        var (replay, _, home) = Replay(dry.Stdout, "replay");
        Assert.That(replay.ExitCode, Is.EqualTo(0), replay.Stderr + replay.Stdout);
        var tfrecords = Path.Combine(_root, "out", "w", "tfrecords");
        Assert.That(File.ReadAllText(Path.Combine(tfrecords, "_manifest.json")), Does.Contain("\"records\": 1461"));
        Assert.That(File.Exists(Path.Combine(tfrecords, "_transform.json")));
        Assert.That(Directory.GetFiles(tfrecords, "part-0*"), Is.Empty, "the text part files went into the manifest");
        Assert.That(File.ReadAllText(Path.Combine(_root, ".calls")), Does.Contain($"hadoop jar {home}/share/hadoop/tools/lib/hadoop-streaming-{version}.jar"));
    }
}

/// <summary>Every option and name is checked before the first job: a typo costs one line and exit 2, not a cluster job.</summary>
public class ScriptValidationTests
{
    private static ProcResult Run(string script, params string[] args) => Pipeline.Script(script, args);

    [TestCase("--label", "Purchse", "'Purchse' is not a column")]
    [TestCase("--categorical", "User_ID,Prodct_ID", "'Prodct_ID' is not a column")]
    [TestCase("--drop", "nope", "'nope' is not a column")]
    [TestCase("--block-size", "abc", "--block-size must be a whole number")]
    [TestCase("--delimiter", "ab", "--delimiter must be one character")]
    [TestCase("--max-bad-fraction", "7", "--max-bad-fraction must be a number in [0, 1]")]
    public void PipelineRefusesBadOptionsBeforeAnyJob(string option, string value, string message)
    {
        var outDir = Path.Combine(Repo.TempDir("validate"), "out");
        string[] args = option == "--label" ? ["--label", value] : ["--label", "Purchase", option, value];
        var r = Run("pipeline.sh", new[] { "--input", Repo.Data("blackfriday_sample.csv"), "--output", outDir }.Concat(args).ToArray());
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(r.Stderr, Does.Contain(message));
        Assert.That(r.Stderr, Does.Not.Contain("running:"), "no job was submitted");
        Assert.That(Directory.Exists(outDir), Is.False);
    }

    [Test]
    public void ATruncatedPlanAndAnHdfsUriForTheTrainerAreExit2()
    {
        var dir = Repo.TempDir("validate-plan");
        var plan = Path.Combine(dir, "_transform.json");
        File.WriteAllText(plan, "{\"version\":1,\"csv\":{\"columns\":[\"a\"]},\"features\":[");
        var r = Run("to-tfrecords.sh", "--input", Repo.Data("seattle-weather.csv"), "--output", Path.Combine(dir, "tf"), "--plan", plan);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("not a complete transform plan"));
        var t = Proc.Run(Repo.Trainer, "train", "--data", "hdfs://nn:8020/user/ml/tf", "--model", Path.Combine(dir, "m"));
        Assert.That(t.ExitCode, Is.EqualTo(2), t.Stderr);
        Assert.That(t.Stderr, Does.Contain("use webhdfs://NAMENODE:9870/user/ml/tf"));
    }

    [TestCase("pipeline.sh")]
    [TestCase("column-stats.sh")]
    [TestCase("to-tfrecords.sh")]
    [TestCase("score.sh")]
    public void EveryScriptHasHelp(string script)
    {
        var r = Proc.Run("/bin/bash", Path.Combine(Repo.Root, "hadoop-jobs", script), "--help");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout, Does.Contain(script).And.Not.Contain("set -euo"));
    }
}

/// <summary>Inputs as operators have them: gzip-compressed, with a byte order mark; trainer options checked up front.</summary>
public class ScriptInputTests
{
    [Test]
    public void AGzipInputWithAByteOrderMarkGivesTheRightColumnNames()
    {
        var dir = Repo.TempDir("gz");
        var gz = Path.Combine(dir, "weather.csv.gz");
        using (var f = File.Create(gz))
        using (var z = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionLevel.Fastest))
        {
            z.Write(System.Text.Encoding.UTF8.GetPreamble());
            z.Write(File.ReadAllBytes(Repo.Data("seattle-weather.csv")));
        }
        var r = Pipeline.Script("column-stats.sh", "--input", gz, "--output", Path.Combine(dir, "stats"), "--categorical", "date");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("--columns date,precipitation,temp_max,temp_min,wind,weather"));
        var stats = string.Concat(Directory.GetFiles(Path.Combine(dir, "stats"), "part-*").Select(File.ReadAllText));
        Assert.That(stats, Does.Contain("\"column\":\"date\"").And.Contain("\"count\":1461"));
    }

    [Test]
    public void BadTrainerOptionsFailBeforeTheFirstJob()
    {
        var outDir = Path.Combine(Repo.TempDir("train-check"), "out");
        var r = Pipeline.Run("--input", Repo.Data("seattle-weather.csv"), "--output", outDir, "--label", "weather", "--train", "--epochs 0");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("--epochs must be positive"));
        Assert.That(r.Stderr, Does.Not.Contain("running:"), "no job was submitted");
    }

    [Test]
    public void TheTfRecordDirectoryHoldsOnlyShardsAndTheirJsonFiles()
    {
        var outDir = Path.Combine(Repo.TempDir("hygiene"), "out");
        var r = Pipeline.Run("--input", Repo.Data("seattle-weather.csv"), "--output", outDir, "--label", "weather", "--block-size", "20000");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var names = Directory.GetFiles(Path.Combine(outDir, "tfrecords")).Select(Path.GetFileName).ToArray();
        Assert.That(names.Where(n => !n!.EndsWith(".tfrecord.gz")), Is.EquivalentTo(new[] { "_SUCCESS", "_STREAMING_STEP", "_manifest.json", "_transform.json" }));
        Assert.That(names.Count(n => n!.EndsWith(".tfrecord.gz")), Is.GreaterThanOrEqualTo(3));
    }
}
