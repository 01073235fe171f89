namespace Streaming.Tests;

/// <summary>The cluster command lines hadoop-jobs builds (printed by --dry-run; no Hadoop is needed to check them).</summary>
public class HadoopJobsTests
{
    [Test]
    public void DryRunPrintsRealHadoopStreamingSubmissions()
    {
        var r = Proc.Run("/bin/bash", [Path.Combine(Repo.Root, "hadoop-jobs", "pipeline.sh"), "--dry-run", "--input", "/data/bf",
            "--output", "hdfs://nn:8020/user/ml/bf", "--columns", "a,b,c", "--label", "c", "--queue", "ml", "--reducers", "3",
            "--webhdfs", "nn1:9870,nn2:9870", "--train", "--epochs 2"], null, new Dictionary<string, string> { ["HADOOP_STREAMING_JAR"] = "/opt/hadoop/streaming.jar" });
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var jobs = r.Stdout.Split('\n').Where(l => l.StartsWith("hadoop jar ")).ToArray();
        Assert.That(jobs, Has.Length.EqualTo(2));
        foreach (var job in jobs)
        {
            Assert.That(job, Does.StartWith("hadoop jar /opt/hadoop/streaming.jar -D mapreduce.job.name="));
            // Generic options (-D, -files, -archives) come before the streaming options.
            Assert.That(job.LastIndexOf("-archives", StringComparison.Ordinal), Is.LessThan(job.IndexOf(" -input ", StringComparison.Ordinal)));
            Assert.That(job, Does.Contain("-archives hdfs:///apps/streaming/streaming-linux-x64.tgz#bin"));
            Assert.That(job, Does.Contain("-D mapreduce.job.queuename=ml"));
        }
        Assert.That(jobs[0], Does.Contain("-combiner bin/reducer\\ stats -reducer bin/reducer\\ stats -numReduceTasks 3"));
        Assert.That(jobs[0], Does.Contain("-output hdfs://nn:8020/user/ml/bf/stats"));
        Assert.That(jobs[1], Does.Contain("#_transform.json").And.Contain("-numReduceTasks 0").And.Contain("-output hdfs://nn:8020/user/ml/bf/tfrecords"));
        Assert.That(r.Stdout, Does.Contain("trainer train --data webhdfs://nn1:9870\\,nn2:9870/user/ml/bf/tfrecords"));
    }

    [Test]
    public void ClusterModeWithoutHadoopIsAClearPrerequisiteError()
    {
        var r = Proc.Run("/bin/bash", [Path.Combine(Repo.Root, "hadoop-jobs", "column-stats.sh"), "--input", "/x", "--output", "/y", "--columns", "a"], null,
            new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" });
        Assert.That(r.ExitCode, Is.EqualTo(3));
        Assert.That(r.Stderr, Does.Contain("'hadoop' is not on PATH"));
    }
}
