namespace Streaming.Tests;

/// <summary>Hadoop Streaming's counter lines go where Hadoop reads them — a task's stderr — and not into an operator's terminal or a cron mail.</summary>
public class ReporterTests
{
    [Test]
    public void CountersAreWrittenInsideATaskOrWhenAskedAndNowhereElse()
    {
        var csv = Proc.Utf8("a,b\n1,2\n3,4\n");
        var outside = Proc.Run(Repo.Mapper, ["stats"], csv, new Dictionary<string, string> { ["STREAMING_COUNTERS"] = "" });
        Assert.That(outside.ExitCode, Is.EqualTo(0), outside.Stderr);
        Assert.That(outside.Stderr, Does.Not.Contain("reporter:counter:"), "an interactive run: no counter lines");
        var task = Proc.Run(Repo.Mapper, ["stats"], csv, new Dictionary<string, string> { ["STREAMING_COUNTERS"] = "", ["mapreduce_task_id"] = "task_1_0001_m_000000" });
        Assert.That(task.Stderr, Does.Contain("reporter:counter:Streaming,RowsRead,2"), "a Hadoop task: counters for the framework");
        var asked = Proc.Run(Repo.Mapper, ["stats"], csv, new Dictionary<string, string> { ["STREAMING_COUNTERS"] = "1" });
        Assert.That(asked.Stderr, Does.Contain("reporter:counter:Streaming,RowsRead,2"));
    }
}
