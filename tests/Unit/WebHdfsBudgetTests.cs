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
        var e = Assert.Catch<IOException>(() => client.List("/data"));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)), "the deadline bounds the operation");
        Assert.That(e!.Message, Does.Contain("LISTSTATUS").And.Contain(" /data: gave up after").And.Contain("2 s;"));
        Assert.That(client.Retries, Is.LessThan(20), "one loop of retries, not nested loops");
    }

    [Test]
    public void TooManyRetriesStopAtTheAttemptLimitNotItsCube()
    {
        using var client = DeadNameNode(3, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30));
        var e = Assert.Catch<IOException>(() => client.List("/data"));
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

    /// <summary>Log lines at Warning and above, for what an operator reads.</summary>
    private sealed class Lines : Microsoft.Extensions.Logging.ILogger
    {
        public readonly List<string> Warnings = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel level) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel level, Microsoft.Extensions.Logging.EventId id, TState state, Exception? e, Func<TState, Exception?, string> format)
        {
            if (level >= Microsoft.Extensions.Logging.LogLevel.Warning) lock (Warnings) Warnings.Add(format(state, e));
        }
    }

    /// <summary>
    /// A DataNode that goes silent mid-read for longer than the whole deadline costs one read timeout (a third of the
    /// deadline at most, so a reopen always fits), then the read reopens at its offset: the file arrives whole, in
    /// about an undisturbed read plus that timeout, and the log says what happened in words.
    /// </summary>
    [Test]
    public void AStalledDataNodeCostsOneReadTimeoutNotTheDeadline()
    {
        using var server = new WebHdfsTestServer();
        var log = new Lines();
        // Default read timeout (20 s); a 3 s deadline: one attempt waits at most 1 s.
        var options = new WebHdfsOptions { NameNodes = [server.Active], User = "u", Deadline = TimeSpan.FromSeconds(3), BackoffBase = TimeSpan.FromMilliseconds(5) };
        Assert.That(options.AttemptTimeout, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(new WebHdfsOptions { NameNodes = ["nn:9870"] }.AttemptTimeout, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(20)), "by default a third of the 60 s deadline at most");
        using var client = new WebHdfsClient(options, log);
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 13)).ToArray();
        client.Create("/s", () => new MemoryStream(data));
        var undisturbed = Stopwatch.StartNew();
        using (var s = client.OpenRead("/s")) s.CopyTo(Stream.Null);
        undisturbed.Stop();
        server.StallsRemaining = 1;
        server.StallMs = 5_000;   // longer than the whole deadline
        var sw = Stopwatch.StartNew();
        using var got = new MemoryStream();
        using (var s = client.OpenRead("/s")) s.CopyTo(got);
        sw.Stop();
        Assert.That(got.ToArray(), Is.EqualTo(data));
        Assert.That(client.Resumes, Is.EqualTo(1), "one reopen at the offset");
        Assert.That(sw.Elapsed, Is.LessThan(undisturbed.Elapsed + TimeSpan.FromSeconds(1.8)), "one read timeout (1 s) and a backoff, not the stall");
        TestContext.Out.WriteLine($"stalled read {sw.Elapsed.TotalSeconds:F2} s, undisturbed {undisturbed.Elapsed.TotalSeconds:F2} s");
        Assert.That(log.Warnings, Has.One.Match($@"no bytes from DataNode {System.Text.RegularExpressions.Regex.Escape(server.DataNode)} for 1 s \(read timeout\) at byte \d+; resuming"));
        Assert.That(string.Join("\n", log.Warnings), Does.Not.Contain("The operation was canceled"));
    }

    /// <summary>
    /// A body without Content-Length that the DataNode closes early, on a file opened by path alone (the manifest, the
    /// plan): its length is asked first, so the short body is resumed, never taken as the whole file.
    /// </summary>
    [Test]
    public void AnEarlyEndOfAFileOpenedByPathIsResumed()
    {
        using var server = new WebHdfsTestServer();
        var options = new WebHdfsOptions { NameNodes = [server.Active], User = "u", BackoffBase = TimeSpan.FromMilliseconds(5) };
        using var client = new WebHdfsClient(options, NullLogger.Instance);
        var local = Pipeline.BlackFridayShards.Value;
        client.Mkdirs("/bf");
        foreach (var f in Directory.GetFiles(local).Where(f => !Path.GetFileName(f).StartsWith("part-0")))
            client.Create("/bf/" + Path.GetFileName(f), () => File.OpenRead(f));
        server.ResetAfterBytes = 700;
        server.EarlyEndsRemaining = 2;   // the manifest's first read, then _transform.json's
        var set = ShardSet.Open(client, "/bf");
        Assert.That(set.Manifest!.Records, Is.EqualTo(19280));
        Assert.That(set.LoadPlan().ToJson(), Is.EqualTo(ShardSet.Open(LocalFileSystem.Instance, local).LoadPlan().ToJson()));
        Assert.That(client.Resumes, Is.EqualTo(2));
    }

    /// <summary>A NameNode that is down: one warning for the kind of fault (not one per attempt), and one final line that counts the attempts once.</summary>
    [Test]
    public void ADeadNameNodeIsOneWarningAndOneFinalLine()
    {
        using var server = new WebHdfsTestServer();
        var log = new Lines();
        using var client = new WebHdfsClient(new WebHdfsOptions
        {
            NameNodes = [server.Dead], User = "u", MaxRetries = 6, BackoffBase = TimeSpan.FromMilliseconds(1), Deadline = TimeSpan.FromSeconds(30),
        }, log);
        var e = Assert.Catch<IOException>(() => { using var s = client.OpenRead(new FileEntry("/a", "a", 10, false)); s.ReadByte(); });
        Assert.Catch<IOException>(() => client.List("/data"));
        Assert.That(log.Warnings, Has.Count.EqualTo(1), string.Join("\n", log.Warnings));
        Assert.That(e!.Message, Does.Match(@"gave up after 7 attempt\(s\) in [\d.]+ s \(limits: 7 attempts, 30 s; faults so far: NameNode unavailable ×6\)"));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(e.Message, "attempt").Count, Is.EqualTo(2), "the attempts said once (and the limit)");
    }
}
