using System.Text;
using Streaming.TfRecord;

namespace Streaming.Tests;

/// <summary>
/// Task outputs where a production cluster keeps them: the job output on HDFS, so every attempt's work directory is an
/// <c>hdfs:</c> URI and its side-effect files (the quarantine <c>_rejects/part-m-NNNNN.tsv</c>, the transform's shards)
/// go through FsShell (both generations' stand-ins) or WebHDFS (the test server), written under the attempt and
/// promoted by the committer; the same jobs with a <c>file:</c> output are the reference.
/// </summary>
[TestFixture("file")]
[TestFixture("fsshell-2.7.2")]
[TestFixture("fsshell-3.3.6")]
[TestFixture("webhdfs")]
public class ClusterOutputTests(string storage)
{
    private const string Columns = "date,precipitation,temp_max,temp_min,wind,weather";

    /// <summary>The weather data with malformed rows of three kinds spread over its splits; the rows and their reasons.</summary>
    private static (string Path, List<(string Reason, string Line)> Bad) Input()
    {
        var lines = File.ReadAllLines(Repo.Data("seattle-weather.csv"));
        var sb = new StringBuilder();
        var bad = new List<(string, string)>();
        for (int i = 0; i < lines.Length; i++)
        {
            sb.Append(lines[i]).Append('\n');
            if (i == 0) continue;
            if (i % 170 == 0) { var l = $"2016-02-{i % 28 + 1:D2},only,three"; sb.Append(l).Append('\n'); bad.Add(("FieldCount", l)); }
            if (i % 310 == 0) { var l = $"2016-03-01,\"0.0,1,2,3,sun"; sb.Append(l).Append('\n'); bad.Add(("BadQuotes", l)); }
            if (i % 450 == 0) { sb.Append('\n'); bad.Add(("EmptyLine", "")); }
        }
        var path = Path.Combine(Repo.TempDir("cluster-input"), "weather.csv");
        File.WriteAllText(path, sb.ToString());
        return (path, bad);
    }

    private static readonly Lazy<(string Path, List<(string Reason, string Line)> Bad)> Data = new(Input);

    /// <summary>Runs one job through the local runner with its output on this fixture's storage; the output's local directory.</summary>
    /// <param name="killMap">A map task whose first attempt is killed half-way (then retried), as a lost node's.</param>
    private string Job(string name, string mapper, string? reducer, string root, WebHdfsTestServer? server, int? killMap = null)
    {
        var env = new Dictionary<string, string>();
        string output;
        if (storage == "file") output = Path.Combine(root, "out", name);
        else
        {
            output = $"hdfs://nn:8020/out/{name}";
            if (storage.StartsWith("fsshell-", StringComparison.Ordinal))
            {
                env["STREAMING_HDFS_CMD"] = Path.Combine(Repo.Root, "tests", "Support", "fakes", "hdfs");
                env["FAKE_HDFS_ROOT"] = root;
                env["FAKE_HADOOP_VERSION"] = storage["fsshell-".Length..];
            }
            else
            {
                env["STREAMING_WEBHDFS"] = server!.Active;
                env["STREAMING_HDFS_CMD"] = "/nonexistent/hdfs";   // nothing may fall back to FsShell
            }
        }
        var args = new List<string> { "-D", "fs.local.block.size=20000", "-D", $"streaming.local.hdfs.root={root}",
            "-input", Data.Value.Path, "-output", output, "-mapper", mapper, "-numReduceTasks", reducer is null ? "0" : "1" };
        if (reducer is not null) args.AddRange(["-reducer", reducer]);
        if (killMap is { } k) args.InsertRange(0, ["-D", $"streaming.local.kill.map.tasks={k}"]);
        var r = Proc.Run(Repo.Runner, args, null, env);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        if (killMap is { } killed) Assert.That(r.Stderr, Does.Contain($"_m_{killed:D6}_0 failed"), "the first attempt was killed and retried");
        var dir = Path.Combine(root, "out", name);
        Assert.That(File.Exists(Path.Combine(dir, "_SUCCESS")));
        var left = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f))
            .Where(f => f.Contains("_temporary") || Path.GetFileName(f).StartsWith('.') && f != ".calls" || f.EndsWith("._COPYING_")).ToList();
        Assert.That(left, Is.Empty, "no attempt directory, temporary or partial upload left behind");
        return dir;
    }

    /// <summary>The quarantine files of a job output, by name, with their lines.</summary>
    private static SortedDictionary<string, string[]> Quarantine(string output)
    {
        var dir = Path.Combine(output, "_rejects");
        Assert.That(Directory.Exists(dir), $"no {dir}: the rejected rows were not written");
        return new(Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllLines), StringComparer.Ordinal);
    }

    private static string Plan(string root)
    {
        var stats = StatsJob.Run(Repo.Data("seattle-weather.csv"), "--columns " + Columns, 100_000);
        var plan = Path.Combine(root, "_transform.json");
        Assert.That(Proc.Run(Repo.Mapper, "plan", "--stats", stats.OutputDir, "--label", "weather", "--drop", "date", "-o", plan).ExitCode, Is.EqualTo(0));
        return plan;
    }

    /// <summary>The reference: the same jobs with a file: output (made once for all fixtures).</summary>
    private static readonly Lazy<(SortedDictionary<string, string[]> Stats, SortedDictionary<string, string[]> Transform)> Reference = new(() =>
    {
        var t = new ClusterOutputTests("file");
        var root = Repo.TempDir("cluster-ref");
        var stats = t.Job("stats", $"'{Repo.Mapper}' stats --columns {Columns} --max-bad-fraction 0.1", $"'{Repo.Reducer}' stats", root, null);
        var transform = t.Job("tfrecords", $"'{Repo.Mapper}' transform --plan {Plan(root)} --max-bad-fraction 0.1", null, root, null);
        return (Quarantine(stats), Quarantine(transform));
    });

    private static void AssertQuarantine(SortedDictionary<string, string[]> q, SortedDictionary<string, string[]> reference)
    {
        Assert.That(q.Keys, Has.Count.GreaterThanOrEqualTo(3), "bad rows in several splits: one quarantine file per map task that had any");
        Assert.That(q.Keys, Is.All.Match(@"^part-m-\d{5}\.tsv$"));
        // Every injected row, with its reason, exactly once: nothing lost, nothing duplicated.
        var rows = q.Values.SelectMany(l => l).Select(l => l.Split('\t')).Select(f => (f[0], f[3])).Order().ToList();
        Assert.That(rows, Is.EqualTo(Data.Value.Bad.Order().ToList()));
        foreach (var line in q.Values.SelectMany(l => l))
            Assert.That(line.Split('\t')[1], Does.StartWith("file:" + Data.Value.Path + "@"), "the source: input file and split start");
        Assert.That(q, Is.EqualTo(reference), "byte for byte the file: run's quarantine: names, rows, reasons, sources, line numbers");
    }

    [Test]
    public void RejectedRowsOfStatisticsAndTransformAreCommittedWithTheJobOutput()
    {
        var root = Repo.TempDir("cluster-" + storage);
        using var server = storage == "webhdfs" ? new WebHdfsTestServer { Root = root } : null;
        var plan = Plan(root);

        // Map task 1's first attempt is killed half-way: its partial quarantine goes with its attempt; the retry's is the one committed.
        var stats = Job("stats", $"'{Repo.Mapper}' stats --columns {Columns} --max-bad-fraction 0.1", $"'{Repo.Reducer}' stats", root, server, killMap: 1);
        AssertQuarantine(Quarantine(stats), Reference.Value.Stats);
        Assert.That(File.ReadAllText(Path.Combine(stats, "part-00000")), Does.Contain("\"count\":1461"), "the statistics count the good rows only");

        var tfrecords = Job("tfrecords", $"'{Repo.Mapper}' transform --plan {plan} --max-bad-fraction 0.1", null, root, server, killMap: 2);
        AssertQuarantine(Quarantine(tfrecords), Reference.Value.Transform);
        long records = 0;
        foreach (var shard in Directory.GetFiles(tfrecords, "part-m-*.tfrecord.gz"))
        {
            using var reader = new TfRecordReader(File.OpenRead(shard), Path.GetFileName(shard), TfRecordCompression.Gzip);
            while (reader.TryRead(out _)) records++;
        }
        Assert.That(records, Is.EqualTo(1461), "the shards, side-effect files too, were committed with every good row");
        if (server is not null) Assert.That(server.Files, Has.Some.Contains("/_rejects/part-m-"), "the quarantine went over WebHDFS");
    }
}
