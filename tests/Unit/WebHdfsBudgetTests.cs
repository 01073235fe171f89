using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Storage;

namespace Streaming.Tests;

/// <summary>One retry budget per operation with a deadline, no multiplying nested retries; early ends are resumed.</summary>
public class WebHdfsBudgetTests
{
    /// <summary>A client of a NameNode that refuses connections (the test server's dead address).</summary>
    private static WebHdfsClient DeadNameNode(int maxRetries, TimeSpan backoff, TimeSpan deadline)
    {
        using var server = new WebHdfsTestServer();
        return new WebHdfsClient(new WebHdfsOptions
        {
            NameNodes = [server.Dead], User = "u", MaxRetries = maxRetries, BackoffBase = backoff, BackoffMax = backoff * 4, Deadline = deadline,
        }, NullLogger.Instance);
    }

    [Test]
    public void ADeadNameNodeFailsWithinTheDeadlineWithOneMessage()
    {
        using var client = DeadNameNode(50, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<IOException>(() => client.List("/data"));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)), "the deadline bounds the operation");
        Assert.That(e!.Message, Does.Contain("LISTSTATUS").And.Contain(" /data: gave up after").And.Contain("2 s)"));
        Assert.That(client.Retries, Is.LessThan(20), "one loop of retries, not nested loops");
    }

    [Test]
    public void TooManyRetriesStopAtTheAttemptLimitNotItsCube()
    {
        using var client = DeadNameNode(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30));
        var e = Assert.Throws<IOException>(() => client.List("/data"));
        Assert.That(client.Retries, Is.EqualTo(3), "MaxRetries retries in all (the NameNode loop inside does not retry again)");
        Assert.That(e!.Message, Does.Contain("gave up after 4 attempt(s)"));
    }

    [Test]
    public void AResponseThatEndsEarlyWithoutContentLengthIsResumedNotAcceptedTruncated()
    {
        using var server = new WebHdfsTestServer();
        var options = new WebHdfsOptions { NameNodes = [server.Active], User = "u", BackoffBase = TimeSpan.FromMilliseconds(5) };
        using var client = new WebHdfsClient(options, NullLogger.Instance);
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        client.Mkdirs("/d");
        client.Create("/d/f", () => new MemoryStream(data));
        server.ResetAfterBytes = 30_000;
        server.EarlyEndsRemaining = 2;
        var entry = client.List("/d").Single();
        using var s = client.OpenRead(entry);
        using var got = new MemoryStream();
        s.CopyTo(got);
        Assert.That(got.ToArray(), Is.EqualTo(data));
        Assert.That(client.Resumes, Is.GreaterThanOrEqualTo(1));
    }
}
