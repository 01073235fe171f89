using Streaming.TfRecord;
using Streaming.Storage;

namespace Streaming.Tests;

/// <summary>mapper transform writes its hdfs: shard through WebHDFS CREATE when a NameNode address is configured.</summary>
public class WebHdfsOutputTests
{
    /// <summary>The weather data's statistics and plan, made by the jobs as a user would.</summary>
    private static string WeatherPlan()
    {
        var stats = StatsJob.Run(Repo.Data("seattle-weather.csv"), "--columns date,precipitation,temp_max,temp_min,wind,weather", 100_000);
        var plan = Path.Combine(Repo.TempDir("webhdfs-plan"), "_transform.json");
        Assert.That(Proc.Run(Repo.Mapper, "plan", "--stats", stats.OutputDir, "--label", "weather", "--drop", "date", "-o", plan).ExitCode, Is.EqualTo(0));
        return plan;
    }

    [Test]
    public void TransformShardGoesToHdfsThroughWebHdfs()
    {
        var plan = WeatherPlan();
        using var server = new WebHdfsTestServer();
        var env = new Dictionary<string, string>
        {
            ["mapreduce_task_output_dir"] = "hdfs://nn:8020/out/_temporary/1/_temporary/attempt_1_0001_m_000002_0",
            ["mapreduce_task_partition"] = "2", ["mapreduce_task_ismap"] = "true", ["HADOOP_USER_NAME"] = "etl",
        };
        var r = Proc.Run(Repo.Mapper, new[] { "transform", "--plan", plan, "--webhdfs", $"{server.Standby},{server.Active}" },
            File.ReadAllBytes(Repo.Data("seattle-weather.csv")), env);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var path = "/out/_temporary/1/_temporary/attempt_1_0001_m_000002_0/part-m-00002.tfrecord.gz";
        Assert.That(server.Files, Is.EqualTo(new[] { path }), "the shard under its name, no temporary left beside it");
        Assert.That(r.Stdout, Does.StartWith("part-m-00002.tfrecord.gz\t"));
        using var reader = new TfRecordReader(new MemoryStream(server[path]), "part-m-00002.tfrecord.gz", TfRecordCompression.Gzip);
        int n = 0;
        while (reader.TryRead(out _)) n++;
        Assert.That(n, Is.EqualTo(1461));
        Assert.That(server.Users, Does.Contain("etl"));
        Assert.That(WebHdfsClient.PathOf("hdfs://nn:8020/a/b"), Is.EqualTo("/a/b"));
    }

    /// <summary>
    /// A task that fails (here: over its bad-row threshold) uploads no shard, no partial, no temporary; its quarantine,
    /// the rows that failed it, is in its attempt directory (which Hadoop keeps or discards with the failed attempt).
    /// </summary>
    [Test]
    public void AFailedTransformLeavesNoFileInHdfs()
    {
        var plan = WeatherPlan();
        using var server = new WebHdfsTestServer();
        var env = new Dictionary<string, string>
        {
            ["mapreduce_task_output_dir"] = "hdfs://nn:8020/out/_temporary/1/_temporary/attempt_1_0001_m_000000_0",
            ["mapreduce_task_partition"] = "0", ["mapreduce_task_ismap"] = "true",
        };
        var input = File.ReadAllText(Repo.Data("seattle-weather.csv")) + "2016-01-01,only,three\n";
        var r = Proc.Run(Repo.Mapper, new[] { "transform", "--plan", plan, "--webhdfs", server.Active, "--max-bad-fraction", "0" },
            Proc.Utf8(input), env);
        Assert.That(r.ExitCode, Is.EqualTo(1), r.Stderr);
        var rejects = "/out/_temporary/1/_temporary/attempt_1_0001_m_000000_0/_rejects/part-m-00000.tsv";
        Assert.That(server.Files, Is.EqualTo(new[] { rejects }), "a failed task's shard must not appear, not even half");
        Assert.That(System.Text.Encoding.UTF8.GetString(server[rejects]), Does.StartWith("FieldCount\tstdin@0\t1463\t2016-01-01,only,three"));
    }
}
