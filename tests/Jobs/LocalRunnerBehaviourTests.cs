using Streaming.Core;
using Streaming.Hadoop;

namespace Streaming.Tests;

/// <summary>Runner behaviour that the golden files do not pin down but docs/contracts.md §1 states.</summary>
public class LocalRunnerBehaviourTests
{
    [Test]
    public void SplitsFollowTheOldMapredApiIncludingTheSlop()
    {
        // docs/contracts.md: fs.local.block.size=150000 on the 894,865-byte Black Friday file gives 6 splits, last 144,865.
        var file = Repo.Data("blackfriday_sample.csv");
        var dir = Repo.TempDir("splits");
        var r = Proc.Run(Repo.Runner, "-D", "fs.local.block.size=150000", "-input", file, "-output", Path.Combine(dir, "out"),
            "-mapper", "sh -c 'echo $mapreduce_map_input_start $mapreduce_map_input_length; cat >/dev/null'", "-numReduceTasks", "0");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var lines = Directory.GetFiles(Path.Combine(dir, "out"), "part-*").Order().Select(f => File.ReadAllText(f).TrimEnd('\n', '\t')).ToArray();
        Assert.That(lines, Is.EqualTo(new[] { "0 150000", "150000 150000", "300000 150000", "450000 150000", "600000 150000", "750000 144865" }));
    }

    [Test]
    public void EveryLineOfAFileReachesExactlyOneMapTask()
    {
        var file = Repo.Data("adult.data");
        var dir = Repo.TempDir("ownership");
        var r = Proc.Run(Repo.Runner, "-D", "fs.local.block.size=100000", "-input", file, "-output", Path.Combine(dir, "out"),
            "-mapper", "cat", "-numReduceTasks", "0");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var parts = Directory.GetFiles(Path.Combine(dir, "out"), "part-*").Order().ToArray();
        Assert.That(parts, Has.Length.EqualTo(40), "39 full splits and the 74,305-byte rest");
        var rejoined = string.Concat(parts.Select(File.ReadAllText)).Replace("\t\n", "\n");
        Assert.That(rejoined, Is.EqualTo(File.ReadAllText(file)));
    }

    [Test]
    public void RefusesAnExistingOutputDirectory()
    {
        var dir = Repo.TempDir("exists");
        var r = Proc.Run(Repo.Runner, "-input", Repo.Golden("map-only-no-tab/input.txt"), "-output", dir, "-mapper", "cat");
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(r.Stderr, Does.Contain("already exists"));
    }

    [Test]
    public void AFailingTaskFailsTheJobWithItsStderrTailAfterMaxAttempts()
    {
        var dir = Repo.TempDir("fail");
        var r = Proc.Run(Repo.Runner, "-D", "mapreduce.map.maxattempts=2", "-input", Repo.Golden("map-only-no-tab/input.txt"),
            "-output", Path.Combine(dir, "out"), "-mapper", "sh -c 'cat >/dev/null; echo boom-on-stderr >&2; exit 3'", "-numReduceTasks", "0");
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Failed));
        Assert.That(r.Stderr, Does.Contain("subprocess failed with code 3"));
        Assert.That(r.Stderr, Does.Contain("boom-on-stderr"));
        Assert.That(r.Stderr, Does.Contain("_m_000000_1 failed"), "second attempt ran");
        Assert.That(File.Exists(Path.Combine(dir, "out", "_SUCCESS")), Is.False);
        Assert.That(Directory.Exists(Path.Combine(dir, "out", "_temporary")), Is.False);
    }

    [Test]
    public void ATaskThatStopsReadingItsInputFails()
    {
        var dir = Repo.TempDir("pipe");
        var r = Proc.Run(Repo.Runner, "-D", "mapreduce.map.maxattempts=1", "-input", Repo.Data("adult.data"),
            "-output", Path.Combine(dir, "out"), "-mapper", "head -1", "-numReduceTasks", "0");
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Failed), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("Broken pipe"));
    }

    [Test]
    public void TasksSeeTheStreamingEnvironmentAndFiles()
    {
        var dir = Repo.TempDir("env");
        var side = Path.Combine(dir, "side.txt");
        File.WriteAllText(side, "shipped\n");
        var r = Proc.Run(Repo.Runner, "-D", "mapreduce.job.name=envtest", "-files", side + "#renamed.txt", "-cmdenv", "MY_VAR=42",
            "-input", Repo.Golden("map-only-no-tab/input.txt"), "-output", Path.Combine(dir, "out"), "-numReduceTasks", "0",
            "-mapper", "sh -c 'cat >/dev/null; echo \"$mapreduce_job_name|$mapreduce_task_ismap|$mapreduce_task_partition|$MY_VAR|$(cat renamed.txt)|${mapreduce_map_input_file%%:*}|${mapreduce_task_output_dir%%:*}\"'");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(File.ReadAllText(Path.Combine(dir, "out", "part-00000")), Is.EqualTo("envtest|true|0|42|shipped|file|file\t\n"));
    }

    [Test]
    public void JavaTextHashCodePartitioning()
    {
        // Values computed by Java's Text.hashCode() for these UTF-8 keys.
        Assert.That(HashPartitioner.TextHashCode(""u8), Is.EqualTo(1));
        Assert.That(HashPartitioner.TextHashCode("a"u8), Is.EqualTo(31 + 97));
        Assert.That(HashPartitioner.TextHashCode("é"u8), Is.EqualTo((31 * (31 - 61)) - 87), "0xC3 and 0xA9 are the signed bytes -61 and -87");
    }
}
