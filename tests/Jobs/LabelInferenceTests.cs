namespace Streaming.Tests;

/// <summary>One dirty label value never turns a regression target into thousands of classes.</summary>
public class LabelInferenceTests
{
    private static string Stats(byte[] csv, string dir)
    {
        var map = Proc.Run(Repo.Mapper, ["stats"], csv);
        Assert.That(map.ExitCode, Is.EqualTo(0), map.Stderr);
        var reduce = Proc.Run(Repo.Reducer, ["stats"], Proc.Utf8(map.Stdout));
        Assert.That(reduce.ExitCode, Is.EqualTo(0), reduce.Stderr);
        var path = Path.Combine(dir, "stats.jsonl");
        File.WriteAllText(path, reduce.Stdout);
        return path;
    }

    [Test]
    public void AMostlyNumericLabelIsRegressionAndItsDirtyValuesAreRejectedAsBadLabel()
    {
        var dir = Repo.TempDir("dirty-label");
        var lines = File.ReadAllLines(Repo.Data("blackfriday_sample.csv")).ToList();
        var cells = lines[100].Split(',');
        cells[^1] = "abc";
        lines[100] = string.Join(",", cells);
        var csv = Proc.Utf8(string.Join("\n", lines) + "\n");
        var plan = Path.Combine(dir, "_transform.json");
        var p = Proc.Run(Repo.Mapper, "plan", "--stats", Stats(csv, dir), "--label", "Purchase", "--categorical", "User_ID,Product_ID", "-o", plan);
        Assert.That(p.ExitCode, Is.EqualTo(0), p.Stderr);
        Assert.That(p.Stderr, Does.Contain("plan: label 'Purchase' → regression"), "a one-line summary of what was decided");
        Assert.That(File.ReadAllText(plan), Does.Contain("\"task\": \"regression\""));
        var t = Proc.Run(Repo.Mapper, ["transform", "--plan", plan, "--output-dir", Path.Combine(dir, "shards")], csv);
        Assert.That(t.ExitCode, Is.EqualTo(0), t.Stderr);
        Assert.That(t.Stderr, Does.Contain("reporter:counter:Streaming,Malformed.BadLabel,1"));
    }

    [Test]
    public void AThousandClassLabelNeedsAnExplicitTask()
    {
        var dir = Repo.TempDir("many-classes");
        var csv = Proc.Utf8("x,y\n" + string.Concat(Enumerable.Range(0, 1500).Select(i => $"{i % 7},id{i}\n")));
        var stats = Stats(csv, dir);
        var p = Proc.Run(Repo.Mapper, "plan", "--stats", stats, "--label", "y", "-o", Path.Combine(dir, "p.json"));
        Assert.That(p.ExitCode, Is.EqualTo(2), p.Stderr);
        Assert.That(p.Stderr, Does.Contain("--task multiclass must be asked for"));
        Assert.That(File.Exists(Path.Combine(dir, "p.json")), Is.False);
        var explicitTask = Proc.Run(Repo.Mapper, "plan", "--stats", stats, "--label", "y", "--task", "multiclass", "-o", Path.Combine(dir, "p.json"));
        Assert.That(explicitTask.ExitCode, Is.EqualTo(0), explicitTask.Stderr);
        Assert.That(explicitTask.Stderr, Does.Contain("→ multiclass (1500 classes)"));
    }
}

/// <summary>A task that fails leaves no file that looks like its output.</summary>
public class PendingOutputTests
{
    [Test]
    public void ATransformOverItsRejectThresholdLeavesNoShard()
    {
        var dir = Repo.TempDir("pending");
        var plan = Path.Combine(dir, "_transform.json");
        File.WriteAllText(plan, """
            {"version":1,"csv":{"columns":["a","y"]},"compression":"gzip",
             "label":{"name":"y","source_index":1,"task":"regression"},
             "features":[{"name":"a","source":"a","source_index":0,"type":"numeric","impute":"zero","impute_value":0,"scale":"none","offset":0,"factor":1}]}
            """);
        var shards = Path.Combine(dir, "shards");
        var bad = Proc.Utf8("a,y\n" + string.Concat(Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? $"{i},{i}\n" : $"x{i},{i}\n")));
        var r = Proc.Run(Repo.Mapper, ["transform", "--plan", plan, "--output-dir", shards], bad);
        Assert.That(r.ExitCode, Is.EqualTo(1), r.Stderr);
        Assert.That(Directory.Exists(shards) ? Directory.GetFileSystemEntries(shards) : [], Is.Empty, "no shard, no temporary file");
        var good = Proc.Run(Repo.Mapper, ["transform", "--plan", plan, "--output-dir", shards], Proc.Utf8("a,y\n1,2\n3,4\n"));
        Assert.That(good.ExitCode, Is.EqualTo(0), good.Stderr);
        Assert.That(Directory.GetFileSystemEntries(shards).Select(Path.GetFileName), Is.EqualTo(new[] { "part-m-00000.tfrecord.gz" }));
    }
}
